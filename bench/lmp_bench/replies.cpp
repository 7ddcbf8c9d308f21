// Seat-protocol answer parsing and the RESP reader and writer.
#include "replies.hpp"

#include <charconv>

namespace lmp::bench {
namespace {

// RESP nesting is only a guard here: the replies lmp-bench waits for are flat.
constexpr int kMaxRespDepth = 16;

std::string_view first_word(std::string_view text) {
  std::size_t end = text.find(' ');
  return end == std::string_view::npos ? text : text.substr(0, end);
}

void append_number(std::string& out, std::int64_t value) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, static_cast<std::size_t>(end - buf));
}

// Reads the CRLF-terminated line at `pos`; returns false when it is not complete yet.
bool resp_line(std::string_view in, std::size_t pos, std::string_view& line, std::size_t& next) {
  std::size_t cr = in.find("\r\n", pos);
  if (cr == std::string_view::npos) return false;
  line = in.substr(pos, cr - pos);
  next = cr + 2;
  return true;
}

std::int64_t resp_number(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw ReplyError("RESP: bad number '" + std::string(text) + "'");
  }
  return value;
}

std::size_t parse_at(std::string_view in, std::size_t pos, RespValue& out, int depth) {
  if (depth > kMaxRespDepth) throw ReplyError("RESP: nesting too deep");
  if (pos >= in.size()) return 0;
  char type = in[pos];
  // Judged before waiting for the line end, so a line protocol without CR is refused at once.
  if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*') {
    throw ReplyError("RESP: unknown reply type '" + std::string(1, type) + "'");
  }
  std::string_view line;
  std::size_t next = 0;
  if (!resp_line(in, pos + 1, line, next)) return 0;
  out.elements.clear();
  switch (type) {
    case '+':
      out.kind = RespValue::Kind::simple;
      out.text = line;
      return next;
    case '-':
      out.kind = RespValue::Kind::error;
      out.text = line;
      return next;
    case ':':
      out.kind = RespValue::Kind::integer;
      out.integer = resp_number(line);
      return next;
    case '$': {
      std::int64_t len = resp_number(line);
      if (len == -1) {
        out.kind = RespValue::Kind::null;
        return next;
      }
      if (len < 0) throw ReplyError("RESP: negative bulk length");
      auto n = static_cast<std::size_t>(len);
      if (in.size() < next + n + 2) return 0;
      if (in.substr(next + n, 2) != "\r\n") throw ReplyError("RESP: bulk string without CRLF");
      out.kind = RespValue::Kind::bulk;
      out.text = in.substr(next, n);
      return next + n + 2;
    }
    case '*': {
      std::int64_t len = resp_number(line);
      if (len == -1) {
        out.kind = RespValue::Kind::null;
        return next;
      }
      if (len < 0) throw ReplyError("RESP: negative array length");
      out.kind = RespValue::Kind::array;
      out.elements.resize(static_cast<std::size_t>(len));
      for (auto& element : out.elements) {
        std::size_t after = parse_at(in, next, element, depth + 1);
        if (after == 0) return 0;
        next = after;
      }
      return next;
    }
  }
  return 0;  // not reached: the type was checked above
}

}  // namespace

Outcome parse_seat_answer(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Outcome out;
  std::string_view status = first_word(line);
  if (status == "OK") {
    out.ok = true;
    out.lease = field_value(line, "lease");
    return out;
  }
  if (status == "ERR") {
    std::string_view rest = line.substr(status.size());
    while (rest.starts_with(' ')) rest.remove_prefix(1);
    out.error = first_word(rest);
    if (out.error.empty()) throw ReplyError("ERR answer without a code");
    return out;
  }
  throw ReplyError("not a seat-protocol answer: '" + std::string(line.substr(0, 80)) + "'");
}

std::string_view field_value(std::string_view line, std::string_view key) {
  std::size_t pos = 0;
  while (pos < line.size()) {
    std::size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    std::string_view word = line.substr(pos, end - pos);
    if (word.size() > key.size() && word.starts_with(key) && word[key.size()] == '=') {
      return word.substr(key.size() + 1);
    }
    pos = end + 1;
  }
  return {};
}

void append_percent_encoded(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : value) {
    auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F || c == '%' || c == '=') {
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    } else {
      out += c;
    }
  }
}

std::size_t parse_resp(std::string_view in, RespValue& out) {
  return parse_at(in, 0, out, 0);
}

std::string_view resp_error_code(std::string_view message) {
  return first_word(message);
}

void append_resp_command(std::string& out, std::initializer_list<std::string_view> args) {
  out += '*';
  append_number(out, static_cast<std::int64_t>(args.size()));
  out += "\r\n";
  for (std::string_view arg : args) {
    out += '$';
    append_number(out, static_cast<std::int64_t>(arg.size()));
    out += "\r\n";
    out += arg;
    out += "\r\n";
  }
}

}  // namespace lmp::bench
