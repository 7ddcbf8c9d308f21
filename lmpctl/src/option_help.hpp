// The description of one option of an lmpctl command, for its --help.
#pragma once

#include <string>

#include "command_spec.hpp"

namespace lmpctl {

// What the option means, with what it takes (a name or an id, a time, true or false).
std::string option_help(const Param& param);

}  // namespace lmpctl
