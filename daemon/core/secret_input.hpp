// Reading a secret (a password) the way command-line tools should: never from the arguments,
// which other users see in the process list and shells keep in their history.
#pragma once

#include <string>
#include <string_view>

namespace lmp {

// One line: from the terminal when standard input is one (`prompt` on standard error, echo off
// while typing, asked twice and refused when the two differ), else the first line of standard
// input (a pipe or a file). The line's end is not part of it. Throws std::runtime_error when the
// two typed lines differ or nothing could be read.
std::string read_secret(std::string_view prompt);

}  // namespace lmp
