// Users' passwords for the web console (docs/console.md "Password login"): the rules a password
// and a login name follow, and the hash kept in their place: scrypt with a salt of its own and
// the cost it was made with, so that the cost can be raised later without locking anyone out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lmp::domain {

// At least 12 characters (code points): long enough that a guesser held to the login budget
// gets nowhere, short enough to be typed. At most 1024 bytes.
inline constexpr std::size_t kMinPasswordChars = 12;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Throws DomainError bad_request unless `password` is UTF-8 of kMinPasswordChars to
// kMaxPasswordBytes without control characters. The message never repeats the password.
void check_password_rule(std::string_view password);

// The login name a user is found by at login: 1 to 64 of a-z, 0-9, '.', '_', '-', '@' (so an
// e-mail address can be one), compared without regard to ASCII case. Returns it in lowercase;
// throws DomainError bad_request otherwise.
std::string normalized_login(std::string_view login);

// "$scrypt$ln=15,r=8,p=1$<salt>$<hash>" (base64url): 16 random bytes of salt, 32 bytes derived
// at the current cost.
std::string hash_password(std::string_view password);

// Whether `password` is the one `stored` was made from, at the cost written in it (compared in
// constant time). False for a hash that is not of this form.
bool password_matches(std::string_view stored, std::string_view password);

// Whether `stored` was made at a cost below the current one: the next login rehashes it.
bool password_needs_rehash(std::string_view stored);

// Spends the time a check of a real hash takes, for a login whose user does not exist or has no
// password: the answer comes as late as a wrong password's.
void spend_password_check(std::string_view password);

}  // namespace lmp::domain
