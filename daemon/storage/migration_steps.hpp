// The schema migrations that SQL alone cannot write: rows rewritten by code, inside the
// migration's transaction (storage/schema_migrations.cpp runs them after the version's
// statements). Included only by daemon/storage/*.cpp and the migration tests (it names SOCI).
#pragma once

#include <string>

namespace soci {
class session;
}

namespace lmp::storage {

class StoredSecrets;

// Version 7. Seat holder keys were "seat:" + user + "@" + host, so that user "alice@ws1" on host
// "ws2" and user "alice" on host "ws1@ws2" shared one key. The families now escape the user
// (sdk::escape_holder_field; the migration keeps its own copy of the escaping as it was then). A
// stored key with one '@' names its user and host unambiguously and is rewritten to the new form
// (unchanged unless the user holds a '%'); one with more '@' cannot be told apart and becomes
// anonymous: the lease lives on, heartbeats and checks in as before, but no checkout reuses it.
// Other keys are left alone.
void escape_seat_holder_keys(soci::session& sql, StoredSecrets& secrets);

// The new form of one stored holder key under the rule above ("" for an ambiguous seat key).
std::string escaped_seat_holder_key(const std::string& stored);

// Version 8. Code and registration-key hashes were plain SHA-256 digests, holder proofs too, and
// lease ids were stored as they are. Each digest becomes its keyed form (a MAC of the digest, so
// no code or key is needed), each lease row moves to its keyed row key with its id sealed, and
// the server secret's check value is stored. Leases keep their ids: clients go on heartbeating
// them.
void key_stored_secrets(soci::session& sql, StoredSecrets& secrets);

}  // namespace lmp::storage
