// hold_seat.c in C++ (docs/client.md, "C++"): the seat is a lmp::endpoint::Lease that checks in
// when it goes out of scope, here after the work or when the work throws.
// Usage: hold_seat_cpp HOST:PORT ACTIVATION-CODE [WORK-SECONDS]
#include <lmp/client/client.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

int main(int argc, char** argv) {
  if (argc < 3) return std::fprintf(stderr, "usage: hold_seat_cpp HOST:PORT CODE [SECONDS]\n"), 64;
  try {
    lmp::endpoint::Client client(argv[1]);
    {
      lmp::endpoint::Lease seat = client.checkout(argv[2]);
      std::printf("holding a seat\n");
      std::fflush(stdout);
      // The work; a library thread heartbeats.
      std::this_thread::sleep_for(std::chrono::seconds(argc > 3 ? std::atoi(argv[3]) : 1));
    }  // the seat is checked in here
    const lmp_license_status status = client.status(argv[2]);
    std::printf("seat returned: %s\n", status.used == 0 ? "ok" : "still in use");
    return status.used == 0 ? 0 : 1;
  } catch (const lmp::endpoint::Error& e) {
    std::fprintf(stderr, "no seat: %s\n", e.what());
    return 1;
  }
}
