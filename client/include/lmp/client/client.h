/* The lmpd endpoint client: check license units out of lmpd servers, keep them alive, return
 * them. A C99 API over a C++ library, so any language with a C FFI can use it. */
#ifndef LMP_CLIENT_CLIENT_H
#define LMP_CLIENT_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LMP_CLIENT_API __attribute__((visibility("default")))
#else
#define LMP_CLIENT_API
#endif

/* Every call that can fail returns one of these. The values are part of the ABI: they never
 * change, new ones are only added. */
typedef enum lmp_result {
  LMP_OK = 0,
  LMP_ERR_INVALID_ARGUMENT = 1,     /* a NULL handle, a malformed server list, a bad count */
  LMP_ERR_UNREACHABLE = 2,          /* no server of the list answered within the timeout */
  LMP_ERR_UNAVAILABLE = 3,          /* the servers answered `unavailable` (stopping, storage) */
  LMP_ERR_NO_SEATS = 4,             /* every unit is in use (after the wait, if any) */
  LMP_ERR_INVALID_CODE = 5,         /* the activation code is wrong */
  LMP_ERR_LICENSE_EXPIRED = 6,      /* the license's validity period has ended */
  LMP_ERR_LICENSE_NOT_STARTED = 7,  /* the license's validity period has not begun */
  LMP_ERR_END_OF_LIFE = 8,          /* the product has reached End of Life */
  LMP_ERR_PRODUCT_NOT_LICENSED = 9, /* the product is not part of the license */
  LMP_ERR_LEASE_UNKNOWN = 10,       /* the server knows no such lease */
  LMP_ERR_RATE_LIMITED = 11,        /* too many wrong codes from this address; retry later */
  LMP_ERR_PROTOCOL = 12,            /* the server answered something this library cannot read */
  LMP_ERR_SERVER = 13,              /* any other error the server sent (bad_request, internal) */
  LMP_ERR_LEASE_LOST = 14,          /* the lease lapsed and could not be taken again */
  LMP_ERR_UNSUPPORTED = 15,         /* asked for something this build cannot do */
  LMP_ERR_NO_MEMORY = 16,
  LMP_ERR_LEASE_REVOKED = 17, /* an administrator (or End of Life) took the lease back: tell the
                                 user; the library does not take it again */
  /* Borrowing (since 1.3): why lmp_check_borrowed refuses a stored token. */
  LMP_ERR_TOKEN_MALFORMED = 18,   /* not a borrow token: bad JWS, JSON, fields, or alg not EdDSA */
  LMP_ERR_TOKEN_UNKNOWN_KEY = 19, /* signed by a key (kid) that the server's key set lacks */
  LMP_ERR_TOKEN_BAD_SIGNATURE = 20, /* the signature does not match: the token was altered */
  LMP_ERR_TOKEN_EXPIRED = 21,       /* the borrow period has ended */
  LMP_ERR_TOKEN_OTHER_HOST = 22,    /* the token was borrowed for another host */
  LMP_ERR_CLOCK_MOVED_BACK = 23,    /* the clock is more than an hour behind a time already seen */
  LMP_ERR_NO_KEYS = 24,             /* no public key set: not fetched, not cached, not given */
  LMP_ERR_NOT_BORROWED = 25,        /* no token file: nothing is borrowed */
  /* Since 1.4: the site policy's refusals (before, LMP_ERR_SERVER with the code in the message). */
  LMP_ERR_NOT_ALLOWED = 26, /* the site policy excludes this holder, or forbids this borrow */
  LMP_ERR_OVER_LIMIT = 27   /* a MAX rule (or the borrow rule's units) of the site policy is
                               reached; lmp_last_error() ends with the server's "(limit=N)" */
} lmp_result;

/* A short English name for a result ("no_seats", ...). Static storage: never free it. */
LMP_CLIENT_API const char* lmp_result_name(lmp_result result);

/* The message of the last failed call made by this thread ("" if none). It stays valid until
 * the next call into this library on the same thread; copy it to keep it. */
LMP_CLIENT_API const char* lmp_last_error(void);

/* ---- Client: the server list and the connections to it. Thread-safe. -------------------- */

typedef struct lmp_client lmp_client;

/* Creates a client for `servers`: "host:port" entries separated by commas, tried in that order
 * ("lic1.example.org:27400,lic2.example.org:27400"). A port may be left out (27400). An entry
 * "tls://host:port" is a TLS server (port 27401 when left out), verified against the system's
 * trusted CAs unless lmp_client_set_tls says otherwise. Nothing is connected yet. An empty list
 * ("") makes a client without servers (since 1.3), for lmp_check_borrowed on a machine that has
 * none: its requests fail with LMP_ERR_UNREACHABLE. On success *out owns a client: free it with
 * lmp_client_free. */
LMP_CLIENT_API lmp_result lmp_client_new(const char* servers, lmp_client** out);

/* Frees the client and closes its connections. Leases taken through it stay valid and keep
 * working (each holds what it needs); NULL is accepted. */
LMP_CLIENT_API void lmp_client_free(lmp_client* client);

/* How long one request may take on one server before the next server is tried: connecting,
 * sending and reading the answer (a CHECKOUT's wait is added to it). Default 5000 ms. */
LMP_CLIENT_API lmp_result lmp_client_set_timeout_ms(lmp_client* client, uint32_t timeout_ms);

/* TLS settings for the list's tls:// servers (since 1.1): `ca_file`, a PEM file of the CAs the
 * servers' certificates must chain to (NULL: the system's trusted CAs); `cert_file` and
 * `key_file`, a PEM client certificate (chain) and its key for servers that require one (both
 * NULL: none). A server must also be named by its certificate: the entry's host name or IP
 * address is checked against it. The files are read now (LMP_ERR_INVALID_ARGUMENT naming a file
 * that cannot be used) and apply to connections opened from now on, also those of leases taken
 * earlier. LMP_ERR_INVALID_ARGUMENT when no server of the list is a tls:// one. */
LMP_CLIENT_API lmp_result lmp_client_set_tls(lmp_client* client, const char* ca_file,
                                             const char* cert_file, const char* key_file);

/* Who holds the units: sent as `host=` and `user=` with every checkout and activation. By
 * default the machine's host name and the login name of the effective user. NULL keeps the
 * current value, "" sends none. The server's product family decides what makes two checkouts "the
 * same holder"; a repeated checkout by the same holder returns its lease instead of taking another
 * unit, which is also what makes a retried checkout safe (see docs/client.md). */
LMP_CLIENT_API lmp_result lmp_client_set_identity(lmp_client* client, const char* host,
                                                  const char* user);

/* A secret proving to the server that a repeated checkout comes from the same holder (since 1.2;
 * protocol 1.1, docs/protocol.md "Holder keys"): a lease checked out with it is handed back, on a
 * repeated checkout of the same holder, only to a checkout that presents it, so that someone who
 * knows the code and the holder's host and user cannot take the holder's lease id. NULL draws a
 * random key now (128 bits), kept for this client's life; "" sends none (the default); otherwise
 * the key itself, 16 to 255 bytes. A key kept only for the life of a process makes each run of
 * the program a holder of its own: a second run while the first holds the seat gets
 * LMP_ERR_NO_SEATS. To keep two programs of one holder on one seat, give them the same key
 * (docs/client.md). Servers older than protocol 1.1 ignore it. */
LMP_CLIENT_API lmp_result lmp_client_set_holder_key(lmp_client* client, const char* key);

/* PING the servers in order; LMP_OK when one answered. */
LMP_CLIENT_API lmp_result lmp_client_ping(lmp_client* client);

/* What ACTIVATE answers. Strings are NUL-terminated and truncated to fit. */
typedef struct lmp_activation {
  int64_t license_id;
  char product[256];
  char family[64];
  char unit[32];
  uint32_t units;
  int64_t expires; /* end of the license's validity, Unix seconds */
} lmp_activation;

/* Checks an activation code and records the activation on the server. */
LMP_CLIENT_API lmp_result lmp_client_activate(lmp_client* client, const char* code,
                                              lmp_activation* out);

/* What STATUS answers. */
typedef struct lmp_license_status {
  char product[256];
  char state[32]; /* active, end_of_sale, end_of_life, expired, not_started */
  uint32_t units;
  uint32_t used;
  uint32_t free_units;
  int64_t expires;
} lmp_license_status;

/* The license that `code` activates, and its use now; `product` may be NULL. */
LMP_CLIENT_API lmp_result lmp_client_status(lmp_client* client, const char* code,
                                            const char* product, lmp_license_status* out);

/* ---- Lease: units checked out. Thread-safe. --------------------------------------------- */

typedef struct lmp_lease lmp_lease;

/* Flags of lmp_client_checkout. */
enum {
  /* Heartbeat from the caller's own loop (lmp_lease_heartbeat when lmp_lease_next_heartbeat_ms
   * says so) instead of the library's background thread. */
  LMP_CHECKOUT_MANUAL_HEARTBEAT = 1u << 0
};

/* Checks `units` units (0 means 1) out of the license that `code` activates; `product` may be
 * NULL. With `wait_seconds` > 0 the server queues the request up to that long when no unit is
 * free (at most 300). Unless LMP_CHECKOUT_MANUAL_HEARTBEAT is given, a background thread
 * heartbeats the lease at the interval the server advised, fails over to the next server,
 * reconnects after network drops, and takes a unit anew if the lease was lost meanwhile.
 * On success *out owns the lease: end it with lmp_lease_checkin and/or lmp_lease_free. */
LMP_CLIENT_API lmp_result lmp_client_checkout(lmp_client* client, const char* code,
                                              const char* product, uint32_t units,
                                              uint32_t wait_seconds, uint32_t flags,
                                              lmp_lease** out);

/* Heartbeats now, on whatever server answers. If the server no longer knows the lease (it
 * lapsed while no server was reachable), checks the same units out again: the lease id may then
 * change. LMP_OK when the lease is held. */
LMP_CLIENT_API lmp_result lmp_lease_heartbeat(lmp_lease* lease);

/* Milliseconds until the next heartbeat is due (0: now). For the caller's own loop. */
LMP_CLIENT_API uint32_t lmp_lease_next_heartbeat_ms(const lmp_lease* lease);

/* LMP_OK while the last heartbeat (or the checkout) succeeded; LMP_ERR_UNREACHABLE while the
 * servers cannot be reached (the library keeps trying); LMP_ERR_LEASE_LOST or a license error
 * when the lease is gone and cannot be taken again. */
LMP_CLIENT_API lmp_result lmp_lease_state(const lmp_lease* lease);

/* Copies the lease id (at most 255 characters) into buf; LMP_ERR_INVALID_ARGUMENT if it does
 * not fit in `size` bytes with its NUL. */
LMP_CLIENT_API lmp_result lmp_lease_id(const lmp_lease* lease, char* buf, size_t size);

/* When the lease lapses without a heartbeat, Unix seconds, as the server last said. */
LMP_CLIENT_API int64_t lmp_lease_expires(const lmp_lease* lease);

/* Stops the heartbeats and returns the units. LMP_OK also when the server no longer knew the
 * lease. The handle stays valid (for lmp_lease_free); further heartbeats fail. */
LMP_CLIENT_API lmp_result lmp_lease_checkin(lmp_lease* lease);

/* Frees the handle, checking the lease in first if lmp_lease_checkin was not called (best
 * effort: a failure is not reported). NULL is accepted. */
LMP_CLIENT_API void lmp_lease_free(lmp_lease* lease);

/* ---- Borrowing (since 1.3, LMPCLIENT_1.3): a unit held offline, without heartbeats. ------ */

/* Where lmp_check_borrowed gets the server's public keys (a JWK Set): `url` is the server's HTTP
 * listener ("http://lic1.example.org:27480", or "https://..." when it speaks TLS, since 1.5; a
 * URL without a path gets /v1/keys). The keys are fetched by lmp_borrow and whenever a token
 * names a key not yet known, and cached beside the token file (TOKEN_FILE.keys), so that later
 * checks need no network. NULL or "" sets none. LMP_ERR_INVALID_ARGUMENT for a URL that is not
 * http[s]://host[:port][/path]. */
LMP_CLIENT_API lmp_result lmp_client_set_keys_url(lmp_client* client, const char* url);

/* The CAs an https:// keys URL's server must chain to (since 1.5, LMPCLIENT_1.5): a PEM file,
 * read now (LMP_ERR_INVALID_ARGUMENT naming a file that cannot be used). NULL or "": the
 * system's trusted CAs. The server must also be named by its certificate (the URL's host name or
 * IP address); a server that fails the check gives no keys (lmp_check_borrowed's
 * LMP_ERR_NO_KEYS says why). */
LMP_CLIENT_API lmp_result lmp_client_set_keys_ca_file(lmp_client* client, const char* ca_file);

/* A JWK Set file to check tokens with instead of fetched keys (for example one shipped with the
 * application). Read at each check. NULL or "" sets none. */
LMP_CLIENT_API lmp_result lmp_client_set_keys_file(lmp_client* client, const char* path);

/* What a borrow token says. Strings are NUL-terminated and truncated to fit. */
typedef struct lmp_borrowed {
  char lease[256];
  int64_t license_id;
  char product[256];
  uint32_t units;
  char host[256];
  char user[256];
  int64_t issued;  /* when the server signed it, Unix seconds */
  int64_t expires; /* end of the borrow period, Unix seconds */
} lmp_borrowed;

/* Borrows `units` units (0 means 1) for `seconds` (the server may refuse a longer period than
 * its policy allows): a lease that needs no heartbeat, with a token signed by the server. The
 * token is written to `token_file` (atomically, mode 0600); the key set is fetched and cached
 * when a keys URL is set. The client's host and user are the borrower's (both required).
 * LMP_ERR_UNSUPPORTED when the server does not lend (older than protocol 1.1). `out` may be
 * NULL. */
LMP_CLIENT_API lmp_result lmp_borrow(lmp_client* client, const char* code, const char* product,
                                     uint32_t units, uint32_t seconds, const char* token_file,
                                     lmp_borrowed* out);

/* Checks the token in `token_file` without the server: a JWS signed with EdDSA by a key of the
 * server's key set (lmp_client_set_keys_file, or the keys cached from lmp_client_set_keys_url,
 * fetched when the token names a key the cache lacks), not expired, borrowed for this client's
 * host, and the clock not more than an hour behind the latest time seen (kept in
 * TOKEN_FILE.clock and advanced by each successful check). LMP_OK and *out filled (`out` may
 * be NULL), or one of LMP_ERR_NOT_BORROWED, LMP_ERR_TOKEN_MALFORMED, LMP_ERR_NO_KEYS,
 * LMP_ERR_TOKEN_UNKNOWN_KEY, LMP_ERR_TOKEN_BAD_SIGNATURE, LMP_ERR_TOKEN_OTHER_HOST,
 * LMP_ERR_CLOCK_MOVED_BACK, LMP_ERR_TOKEN_EXPIRED. */
LMP_CLIENT_API lmp_result lmp_check_borrowed(lmp_client* client, const char* token_file,
                                             lmp_borrowed* out);

/* Returns a borrowed lease early (CHECKIN) and removes `token_file`. LMP_OK also when the server
 * no longer holds the lease (it expired or was released). The file stays when no server
 * answered. */
LMP_CLIENT_API lmp_result lmp_return(lmp_client* client, const char* token_file);

/* The library's version, "X.Y.Z". Static storage. */
LMP_CLIENT_API const char* lmp_client_version(void);

#ifdef __cplusplus
}
#endif

#endif /* LMP_CLIENT_CLIENT_H */
