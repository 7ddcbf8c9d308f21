// The terminal's echo is turned off with termios and always restored.
#include "core/secret_input.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

namespace lmp {
namespace {

std::string line_of(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) throw std::runtime_error("no line on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Restores the terminal's settings when the read ends, however it ends.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::string typed(std::string_view prompt) {
  std::cerr << prompt << std::flush;
  EchoOff quiet;
  std::string line = line_of(std::cin);
  std::cerr << "\n";
  return line;
}

}  // namespace

std::string read_secret(std::string_view prompt) {
  if (isatty(STDIN_FILENO) == 0) return line_of(std::cin);
  std::string first = typed(prompt);
  if (typed("again: ") != first) throw std::runtime_error("the two entries differ");
  return first;
}

}  // namespace lmp
