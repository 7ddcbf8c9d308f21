// The HTTP form of the domain's refusals (domain/domain_error.hpp): the one table of their
// statuses and error codes, and which of them charge the address's invalid-code budget.
#pragma once

#include <string_view>

#include "domain/domain_error.hpp"
#include "http/http_message.hpp"

namespace lmp::http {

struct HttpRefusal {
  int status = 500;
  std::string_view code;
  // A wrong guess at a secret (a registration key with a bad check character, or unknown):
  // charged to the address's invalid-code budget on the routes that take such secrets.
  bool wrong_guess = false;
};

const HttpRefusal& http_refusal(domain::ErrorCode code);

// {"error": {"code": ..., "message": ...}} with the refusal's status.
HttpResponse error_response(const domain::DomainError& error);

}  // namespace lmp::http
