// The one exception type inside the client library: a result code for the C API and a message
// for lmp_last_error. It never crosses the C boundary.
#pragma once

#include <stdexcept>
#include <string>

#include "lmp/client/client.h"

namespace lmp::client {

class ClientError : public std::runtime_error {
 public:
  ClientError(lmp_result code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  lmp_result code() const { return code_; }

 private:
  lmp_result code_;
};

}  // namespace lmp::client
