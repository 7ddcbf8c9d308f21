/* The ten-line example of docs/client.md: hold one seat while working, then give it back.
 * Usage: hold_seat HOST:PORT ACTIVATION-CODE [WORK-SECONDS] */
#define _POSIX_C_SOURCE 200809L
#include <lmp/client/client.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc < 3) return fprintf(stderr, "usage: hold_seat HOST:PORT CODE [SECONDS]\n"), 64;
  lmp_client* client = NULL;
  lmp_lease* lease = NULL;
  if (lmp_client_new(argv[1], &client) != LMP_OK ||
      lmp_client_checkout(client, argv[2], NULL, 1, 0, 0, &lease) != LMP_OK) {
    fprintf(stderr, "no seat: %s\n", lmp_last_error());
    lmp_client_free(client);
    return 1;
  }
  printf("holding a seat\n");
  fflush(stdout);
  sleep(argc > 3 ? (unsigned)atoi(argv[3]) : 1); /* the work; a library thread heartbeats */
  lmp_result checkin = lmp_lease_checkin(lease);
  printf("seat returned: %s\n", lmp_result_name(checkin));
  lmp_lease_free(lease);
  lmp_client_free(client);
  return checkin == LMP_OK ? 0 : 1;
}
