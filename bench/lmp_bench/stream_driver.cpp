// The TCP targets whose answers come back in request order on each connection: lmpd's seat
// protocol, the line-echo server, and Redis (RESP with Lua seat scripts). Each connection is a
// small state machine: one batched async_write of everything its slots queued, and a reader that
// cuts answers off a flat buffer and hands each to the slot at the head of the in-flight queue.
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstring>

#include "driver.hpp"
#include "replies.hpp"
#include "ring.hpp"

namespace lmp::bench::detail {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxSeatLine = 4096;  // the seat protocol's line limit, LF included
constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr std::string_view kFakeLease = "0123456789abcdef0123456789abcdef";
// Lease lifetime of the Redis seat script, like lmpd's default lease.
constexpr std::string_view kRedisLeaseMs = "300000";
constexpr std::string_view kRedisCounterKey = "lmpbench:used";

// How one target writes requests and reads answers.
class Codec {
 public:
  virtual ~Codec() = default;
  // Appends the request for `op`; a checkout of a client-named lease names it in the slot.
  virtual void encode(Op op, Slot& slot, std::string& out) const = 0;
  // Parses the answer at the front of `in` to `op` sent by `slot`. Returns the bytes used, 0 if
  // the answer is not complete yet; throws ReplyError.
  virtual std::size_t parse(std::string_view in, Op op, const Slot& slot, Outcome& out) const = 0;
  // Whether leases still held at the end are checked in, so the next run starts clean.
  virtual bool checks_in_at_end() const = 0;
};

class SeatCodec final : public Codec {
 public:
  // Checkouts take `codes` in turn, whichever connection sends them (licenses spread evenly).
  SeatCodec(const std::vector<std::string>& codes, bool echo) : echo_(echo) {
    for (const auto& code : codes) {
      std::string line = "CHECKOUT code=";
      append_percent_encoded(line, code);
      line += '\n';
      checkouts_.push_back(std::move(line));
    }
  }

  void encode(Op op, Slot& slot, std::string& out) const override {
    switch (op) {
      case Op::checkout:
        out += checkouts_.size() == 1
                   ? checkouts_.front()
                   : checkouts_[next_.fetch_add(1, std::memory_order_relaxed) % checkouts_.size()];
        return;
      case Op::heartbeat:
        out += "HEARTBEAT lease=";
        break;
      case Op::checkin:
        out += "CHECKIN lease=";
        break;
    }
    out += slot.lease();
    out += '\n';
  }

  std::size_t parse(std::string_view in, Op, const Slot&, Outcome& out) const override {
    std::size_t lf = in.find('\n');
    if (lf == std::string_view::npos) {
      if (in.size() >= kMaxSeatLine) throw ReplyError("answer line longer than 4096 bytes");
      return 0;
    }
    if (echo_) {
      // The echo server has no leases: every line back is a success holding a stand-in lease.
      out = Outcome{true, {}, kFakeLease};
    } else {
      out = parse_seat_answer(in.substr(0, lf));
    }
    return lf + 1;
  }

  bool checks_in_at_end() const override { return !echo_; }

 private:
  bool echo_;
  std::vector<std::string> checkouts_;        // the whole checkout line of each code
  mutable std::atomic<std::size_t> next_{0};  // shared by the connections of every thread
};

class RedisCodec final : public Codec {
 public:
  RedisCodec(std::string checkout_sha, std::string heartbeat_sha, std::string checkin_sha,
             std::int64_t units, std::int64_t run_id)
      : checkout_sha_(std::move(checkout_sha)),
        heartbeat_sha_(std::move(heartbeat_sha)),
        checkin_sha_(std::move(checkin_sha)),
        units_(std::to_string(units)),
        key_prefix_("lmpbench:lease:" + std::to_string(run_id) + ":") {}

  void encode(Op op, Slot& slot, std::string& out) const override {
    switch (op) {
      case Op::checkout: {
        // Unique per slot and sequence, so no two leases of a run share a key.
        std::string& key = slot.pending_lease();
        key.assign(key_prefix_);
        key += slot.name();
        key += ':';
        key += std::to_string(slot.next_sequence());
        append_resp_command(
            out, {"EVALSHA", checkout_sha_, "2", kRedisCounterKey, key, units_, kRedisLeaseMs});
        return;
      }
      case Op::heartbeat:
        append_resp_command(out, {"EVALSHA", heartbeat_sha_, "1", slot.lease(), kRedisLeaseMs});
        return;
      case Op::checkin:
        append_resp_command(out, {"EVALSHA", checkin_sha_, "2", kRedisCounterKey, slot.lease()});
        return;
    }
  }

  std::size_t parse(std::string_view in, Op op, const Slot& slot, Outcome& out) const override {
    RespValue value;
    std::size_t used = parse_resp(in, value);
    if (used == 0) return 0;
    if (value.kind == RespValue::Kind::integer) {
      out.ok = value.integer == 1;
      if (out.ok) {
        if (op == Op::checkout) out.lease = slot.pending_lease();
      } else {
        // The scripts answer 0 for the seat protocol's two refusals.
        out.error = op == Op::checkout ? "no_seats" : "lease_unknown";
      }
    } else if (value.kind == RespValue::Kind::error) {
      out.ok = false;
      out.error = resp_error_code(value.text);
      if (out.error.empty()) out.error = "redis_error";
    } else {
      throw ReplyError("the seat script answered something other than an integer");
    }
    return used;
  }

  bool checks_in_at_end() const override { return true; }

 private:
  std::string checkout_sha_;
  std::string heartbeat_sha_;
  std::string checkin_sha_;
  std::string units_;
  std::string key_prefix_;
};

struct InFlight {
  std::uint32_t slot = 0;
  Op op = Op::checkout;
  bool cleanup = false;  // a checkin after the run: not measured
  Clock::time_point sent;
};

class StreamConnection final : public BenchConnection {
 public:
  StreamConnection(Loop& loop, const RunContext& run, std::shared_ptr<const Codec> codec,
                   tcp::socket socket, int index)
      : BenchConnection(loop),
        run_(run),
        codec_(*codec),
        codec_owner_(std::move(codec)),
        socket_(std::move(socket)),
        slots_(static_cast<std::size_t>(run.options->pipeline)),
        read_buffer_(kReadBuffer) {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      slots_[i].set_name("c" + std::to_string(index) + "s" + std::to_string(i));
    }
    out_.reserve(4096);
    writing_buffer_.reserve(4096);
  }

  void start(Clock::time_point now) override {
    if (closed_) return;
    for (std::uint32_t i = 0; i < slots_.size(); ++i) send_next(i, now);
    flush();
    read();
  }

  void stop() override {
    if (closed_ || phase_ != Phase::running) return;
    phase_ = Phase::draining;
    settle();
  }

  void hurry() override {
    if (closed_ || phase_ != Phase::draining) return;
    begin_cleanup();
    settle();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
    loop_.connection_closed();
  }

 private:
  enum class Phase { running, draining, cleanup };

  void send_next(std::uint32_t slot, Clock::time_point now) {
    Op op = slots_[slot].next(run_.options->mix);
    codec_.encode(op, slots_[slot], out_);
    in_flight_.push(InFlight{slot, op, false, now});
  }

  void check_in_held(std::uint32_t index) {
    Slot& slot = slots_[index];
    // encode() checks in the newest lease; completing the checkin at once moves to the next.
    while (!slot.leases().empty()) {
      codec_.encode(Op::checkin, slot, out_);
      in_flight_.push(InFlight{index, Op::checkin, true, {}});
      slot.complete(Op::checkin, Outcome{});
    }
  }

  void begin_cleanup() {
    phase_ = Phase::cleanup;
    if (!codec_.checks_in_at_end()) return;
    for (std::uint32_t i = 0; i < slots_.size(); ++i) check_in_held(i);
    flush();
  }

  // Moves on once nothing is in flight: from draining to cleanup, from cleanup to closed.
  void settle() {
    if (closed_ || !in_flight_.empty()) return;
    if (phase_ == Phase::draining) begin_cleanup();
    if (phase_ == Phase::cleanup && in_flight_.empty()) close();
  }

  void flush() {
    if (writing_ || out_.empty() || closed_) return;
    std::swap(out_, writing_buffer_);
    writing_ = true;
    asio::async_write(socket_, asio::buffer(writing_buffer_),
                      [this](const boost::system::error_code& ec, std::size_t) {
                        writing_ = false;
                        writing_buffer_.clear();
                        if (ec) return fail("write", ec.message());
                        flush();
                      });
  }

  void read() {
    socket_.async_read_some(
        asio::buffer(read_buffer_.data() + read_len_, read_buffer_.size() - read_len_),
        [this](const boost::system::error_code& ec, std::size_t n) { on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec) return fail("read", ec == asio::error::eof ? "closed by the server" : ec.message());
    read_len_ += n;
    // One clock read for every answer of this chunk and every request they trigger.
    Clock::time_point now = Clock::now();
    std::size_t pos = 0;
    try {
      while (pos < read_len_) {
        if (in_flight_.empty()) throw ReplyError("an answer to no request");
        const InFlight& head = in_flight_.front();
        Outcome outcome;
        std::size_t used =
            codec_.parse(std::string_view(read_buffer_.data() + pos, read_len_ - pos), head.op,
                         slots_[head.slot], outcome);
        if (used == 0) break;
        pos += used;
        answered(outcome, now);
      }
    } catch (const ReplyError& e) {
      return fail("protocol", e.what());
    }
    if (pos > 0) {
      std::memmove(read_buffer_.data(), read_buffer_.data() + pos, read_len_ - pos);
      read_len_ -= pos;
    }
    if (read_len_ == read_buffer_.size()) return fail("protocol", "answer larger than 64 KiB");
    flush();
    settle();
    if (!closed_) read();
  }

  void answered(const Outcome& outcome, Clock::time_point now) {
    InFlight done = in_flight_.front();
    in_flight_.pop();
    Stats& stats = loop_.stats();
    if (done.cleanup) {
      if (outcome.ok) ++stats.cleanup_checkins;
      return;
    }
    stats.answer(outcome,
                 static_cast<std::uint64_t>(
                     std::chrono::duration_cast<std::chrono::nanoseconds>(now - done.sent).count()),
                 run_.timeline.measured(now));
    slots_[done.slot].complete(done.op, outcome);
    if (phase_ == Phase::running) {
      send_next(done.slot, now);
    } else if (phase_ == Phase::cleanup && codec_.checks_in_at_end()) {
      // A checkout granted after the cleanup began: give it back too.
      check_in_held(done.slot);
    }
  }

  void fail(const char* where, const std::string& what) {
    if (closed_) return;  // our own close cancelled the operation
    ++loop_.stats().transport_errors;
    loop_.note_transport_error(std::string(where) + ": " + what);
    close();
  }

  const RunContext& run_;
  const Codec& codec_;
  std::shared_ptr<const Codec> codec_owner_;  // shared read-only by every connection of the run
  tcp::socket socket_;
  std::vector<Slot> slots_;
  Ring<InFlight> in_flight_;
  std::string out_;             // requests queued while a write is under way
  std::string writing_buffer_;  // the batch being written
  bool writing_ = false;
  std::vector<char> read_buffer_;
  std::size_t read_len_ = 0;
  Phase phase_ = Phase::running;
  bool closed_ = false;
};

// Sends the setup commands on a fresh connection and waits, with a deadline, for `replies`
// answers, before the loops run. Returns an error text, empty on success; `out` points into
// `buffer`.
std::string exchange(asio::io_context& io, tcp::socket& socket, const std::string& request,
                     std::size_t replies, std::vector<RespValue>& out, std::string& buffer) {
  struct State {
    State(tcp::socket& s, std::size_t n, std::vector<RespValue>& o, std::string& b)
        : socket(s), replies(n), out(o), buffer(b) {}

    tcp::socket& socket;
    std::size_t replies;
    std::vector<RespValue>& out;
    std::string& buffer;
    std::vector<char> chunk = std::vector<char>(16 * 1024);
    boost::system::error_code failure;
    std::string protocol_error;
    bool done = false;

    void read() {
      socket.async_read_some(asio::buffer(chunk),
                             [this](const boost::system::error_code& ec, std::size_t n) {
                               if (ec) {
                                 failure = ec;
                                 return;
                               }
                               buffer.append(chunk.data(), n);
                               if (!parse_all()) read();
                             });
    }
    // Parses from the start each time, so that no answer points into a buffer since grown.
    bool parse_all() {
      out.clear();
      std::size_t pos = 0;
      try {
        while (out.size() < replies) {
          RespValue value;
          std::size_t used = parse_resp(std::string_view(buffer).substr(pos), value);
          if (used == 0) return false;
          pos += used;
          out.push_back(std::move(value));
        }
      } catch (const ReplyError& e) {
        protocol_error = e.what();
        return true;
      }
      done = true;
      return true;
    }
  } state(socket, replies, out, buffer);

  asio::async_write(socket, asio::buffer(request),
                    [&state](const boost::system::error_code& ec, std::size_t) {
                      if (ec) state.failure = ec;
                    });
  state.read();
  io.restart();
  io.run_for(std::chrono::seconds(10));
  if (!state.done) {
    boost::system::error_code ignored;
    socket.cancel(ignored);
    io.restart();
    io.run();
  }
  io.restart();
  if (!state.protocol_error.empty()) return "not a Redis answer (" + state.protocol_error + ")";
  if (state.failure == asio::error::operation_aborted) return "no answer within 10 s";
  if (state.failure) return state.failure.message();
  if (!state.done) return "no answer";
  return {};
}

// The seat scripts: a used-seat counter beside one key per lease that expires like a lease.
constexpr std::string_view kCheckoutScript =
    "if tonumber(redis.call('GET',KEYS[1]) or '0') < tonumber(ARGV[1]) then "
    "redis.call('INCR',KEYS[1]); redis.call('SET',KEYS[2],'1','PX',ARGV[2]); return 1 "
    "else return 0 end";
constexpr std::string_view kHeartbeatScript = "return redis.call('PEXPIRE',KEYS[1],ARGV[1])";
// Only a lease that still exists gives its seat back, so lapsed leases cannot drive the
// counter below the seats really held.
constexpr std::string_view kCheckinScript =
    "if redis.call('DEL',KEYS[2]) == 1 then redis.call('DECR',KEYS[1]); return 1 "
    "else return 0 end";

std::shared_ptr<const Codec> setup_redis(asio::io_context& io, tcp::socket& socket,
                                         const Options& options) {
  std::string request;
  for (auto script : {kCheckoutScript, kHeartbeatScript, kCheckinScript}) {
    append_resp_command(request, {"SCRIPT", "LOAD", script});
  }
  // A fresh count each run: leases of earlier runs lapse on their own.
  append_resp_command(request, {"SET", kRedisCounterKey, "0"});
  std::vector<RespValue> replies;
  std::string buffer;
  std::string error = exchange(io, socket, request, 4, replies, buffer);
  if (!error.empty()) throw SetupError("redis setup: " + error);
  auto refused = [](std::string_view command, const RespValue& reply) {
    return SetupError("redis setup: " + std::string(command) + " failed: " +
                      (reply.kind == RespValue::Kind::error
                           ? std::string(reply.text)
                           : std::string("unexpected answer (is this Redis?)")));
  };
  for (std::size_t i = 0; i < 3; ++i) {
    if (replies[i].kind != RespValue::Kind::bulk) throw refused("SCRIPT LOAD", replies[i]);
  }
  if (replies[3].kind != RespValue::Kind::simple) throw refused("SET", replies[3]);
  auto run_id = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  return std::make_shared<RedisCodec>(std::string(replies[0].text), std::string(replies[1].text),
                                      std::string(replies[2].text), options.units, run_id);
}

}  // namespace

void connect_stream_target(const RunContext& run, std::vector<std::unique_ptr<Loop>>& loops,
                           std::string& resolved_host, int& resolved_port) {
  const Options& o = *run.options;
  // One resolution per port; connection i goes to ports[i % ports.size()].
  const std::vector<std::uint16_t> ports = target_ports(o);
  std::vector<tcp::resolver::results_type> endpoints;
  {
    asio::io_context resolve_io;
    tcp::resolver resolver(resolve_io);
    for (std::uint16_t port : ports) {
      boost::system::error_code ec;
      endpoints.push_back(resolver.resolve(o.host, std::to_string(port), ec));
      if (ec) throw SetupError("cannot resolve " + o.host + ": " + ec.message());
    }
  }
  std::vector<tcp::socket> sockets;
  for (int i = 0; i < o.connections; ++i) {
    Loop& loop = *loops[static_cast<std::size_t>(i) % loops.size()];
    std::size_t target = static_cast<std::size_t>(i) % ports.size();
    tcp::socket socket(loop.io());
    boost::system::error_code ec;
    tcp::endpoint peer = asio::connect(socket, endpoints[target], ec);
    if (ec) {
      throw SetupError("cannot connect to " + o.host + ":" + std::to_string(ports[target]) + ": " +
                       ec.message());
    }
    // Answers must not wait for Nagle: a slot's next request depends on them.
    socket.set_option(tcp::no_delay(true), ec);
    if (i == 0) {
      resolved_host = peer.address().to_string();
      resolved_port = peer.port();
    }
    sockets.push_back(std::move(socket));
  }

  std::shared_ptr<const Codec> codec;
  switch (o.target) {
    case Target::lmpd:
      codec = std::make_shared<SeatCodec>(
          o.codes.empty() ? std::vector<std::string>{o.code} : o.codes, false);
      break;
    case Target::echo:
      codec = std::make_shared<SeatCodec>(std::vector<std::string>{o.code}, true);
      break;
    case Target::redis:
      codec = setup_redis(loops[0]->io(), sockets[0], o);
      break;
    case Target::postgres:
      throw SetupError("postgres is not a stream target");
  }

  for (std::size_t i = 0; i < sockets.size(); ++i) {
    Loop& loop = *loops[i % loops.size()];
    loop.add(std::make_unique<StreamConnection>(loop, run, codec, std::move(sockets[i]),
                                                static_cast<int>(i)));
  }
}

}  // namespace lmp::bench::detail
