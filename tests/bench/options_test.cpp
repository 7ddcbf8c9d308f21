// lmp-bench's command line: defaults per target, both flag forms, and one line naming the
// argument for each kind of mistake.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "lmp_bench/options.hpp"

namespace lmp::bench {
namespace {

ParsedArgs parse(std::vector<std::string> args) {
  return parse_args(args);
}

std::string error_of(std::vector<std::string> args) {
  ParsedArgs parsed = parse(std::move(args));
  EXPECT_FALSE(parsed.options.has_value());
  EXPECT_FALSE(parsed.help);
  EXPECT_EQ(parsed.error.find('\n'), std::string::npos) << parsed.error;
  return parsed.error;
}

TEST(BenchOptions, DefaultsFollowTheTarget) {
  auto lmpd = parse({"--target", "lmpd", "--code", "12345-67890"});
  ASSERT_TRUE(lmpd.options) << lmpd.error;
  EXPECT_EQ(lmpd.options->target, Target::lmpd);
  EXPECT_EQ(lmpd.options->host, "127.0.0.1");
  EXPECT_EQ(lmpd.options->port, 27400);
  EXPECT_EQ(lmpd.options->connections, 16);
  EXPECT_EQ(lmpd.options->pipeline, 1);
  EXPECT_EQ(lmpd.options->duration_s, 10);
  EXPECT_EQ(lmpd.options->warmup_s, 2);
  EXPECT_EQ(lmpd.options->threads, 1);
  EXPECT_EQ(lmpd.options->units, 1000000);
  EXPECT_EQ(mix_text(lmpd.options->mix), "checkout,heartbeat,checkin");

  EXPECT_EQ(parse({"--target", "echo"}).options->port, 27499);
  EXPECT_EQ(parse({"--target", "redis"}).options->port, 6379);
  // The echo server checks no code, so none is needed.
  EXPECT_FALSE(parse({"--target", "echo"}).options->code.empty());
}

TEST(BenchOptions, EveryFlagInBothForms) {
  auto parsed = parse({"--target=postgres",
                       "--host",
                       "db1",
                       "--port=6000",
                       "--pg",
                       "host=/tmp dbname=x",
                       "--connections",
                       "4",
                       "--pipeline=32",
                       "--duration",
                       "1.5",
                       "--warmup",
                       "0",
                       "--mix",
                       "checkout,checkin",
                       "--units",
                       "7",
                       "--json",
                       "out.json",
                       "--threads",
                       "2"});
  ASSERT_TRUE(parsed.options) << parsed.error;
  const Options& o = *parsed.options;
  EXPECT_EQ(o.target, Target::postgres);
  EXPECT_EQ(o.host, "db1");
  EXPECT_EQ(o.port, 6000);
  EXPECT_EQ(o.pg_conninfo, "host=/tmp dbname=x");
  EXPECT_EQ(o.connections, 4);
  EXPECT_EQ(o.pipeline, 32);
  EXPECT_DOUBLE_EQ(o.duration_s, 1.5);
  EXPECT_DOUBLE_EQ(o.warmup_s, 0);
  EXPECT_EQ(o.mix, (std::vector<Op>{Op::checkout, Op::checkin}));
  EXPECT_EQ(o.units, 7);
  EXPECT_EQ(o.json_path, "out.json");
  EXPECT_EQ(o.threads, 2);
}

TEST(BenchOptions, HelpIsNotAnError) {
  auto parsed = parse({"--target", "lmpd", "--help"});
  EXPECT_TRUE(parsed.help);
  EXPECT_TRUE(parsed.error.empty());
  EXPECT_NE(usage().find("--pipeline"), std::string::npos);
}

TEST(BenchOptions, UnknownArgumentsAreNamed) {
  EXPECT_EQ(error_of({"--target", "lmpd", "--code", "1", "--bogus", "3"}),
            "unknown argument --bogus");
  EXPECT_EQ(error_of({"--target", "lmpd", "--code", "1", "--bogus=3"}), "unknown argument --bogus");
  EXPECT_EQ(error_of({"--target", "lmpd", "stray"}), "unexpected argument 'stray'");
}

TEST(BenchOptions, MissingValuesAreNamed) {
  EXPECT_EQ(error_of({"--target", "lmpd", "--code", "1", "--port"}), "missing value for --port");
  // A flag where the value should be is a forgotten value.
  EXPECT_EQ(error_of({"--target", "lmpd", "--connections", "--code", "1"}),
            "missing value for --connections");
  EXPECT_EQ(error_of({"--code", "1"}), "missing --target (lmpd, echo, redis or postgres)");
  EXPECT_EQ(error_of({"--target", "lmpd"}),
            "--code or --codes-file is required with --target lmpd");
}

// The 1,000-licenses mode of bench/scale_out.sh: codes from a file, one a line.
TEST(BenchOptions, CodesFileGivesSeveralLicenses) {
  const std::string path = ::testing::TempDir() + "lmp_bench_codes.txt";
  std::ofstream(path) << "AAAAA-1\nBBBBB-2\n\nCCCCC-3\n";
  auto parsed = parse({"--target", "lmpd", "--codes-file", path});
  ASSERT_TRUE(parsed.options.has_value()) << parsed.error;
  EXPECT_EQ(parsed.options->codes, (std::vector<std::string>{"AAAAA-1", "BBBBB-2", "CCCCC-3"}));
  EXPECT_EQ(parsed.options->code, "AAAAA-1");
  std::ofstream(path, std::ios::trunc) << "\n";
  EXPECT_EQ(error_of({"--target", "lmpd", "--codes-file", path}),
            "--codes-file: no code in " + path);
  EXPECT_EQ(error_of({"--target", "lmpd", "--codes-file", path + ".missing"}),
            "--codes-file: cannot read " + path + ".missing");
  std::remove(path.c_str());
}

TEST(BenchOptions, NonNumbersAreNamed) {
  EXPECT_EQ(error_of({"--target", "echo", "--port", "http"}), "--port: not a number: 'http'");
  EXPECT_EQ(error_of({"--target", "echo", "--connections", "8x"}),
            "--connections: not a number: '8x'");
  EXPECT_EQ(error_of({"--target", "echo", "--pipeline", ""}), "--pipeline: not a number: ''");
  EXPECT_EQ(error_of({"--target", "echo", "--duration", "ten"}), "--duration: not a number: 'ten'");
  EXPECT_EQ(error_of({"--target", "echo", "--warmup", "nan"}), "--warmup: not a number: 'nan'");
  EXPECT_EQ(error_of({"--target", "echo", "--units", "1e6"}), "--units: not a number: '1e6'");
}

TEST(BenchOptions, OutOfRangeIsNamed) {
  EXPECT_EQ(error_of({"--target", "echo", "--port", "0"}), "--port: 0 is out of range 1..65535");
  EXPECT_EQ(error_of({"--target", "echo", "--port", "65536"}),
            "--port: 65536 is out of range 1..65535");
  EXPECT_EQ(error_of({"--target", "echo", "--connections", "0"}),
            "--connections: 0 is out of range 1..10000");
  EXPECT_EQ(error_of({"--target", "echo", "--pipeline", "-1"}),
            "--pipeline: -1 is out of range 1..4096");
  EXPECT_EQ(error_of({"--target", "echo", "--threads", "99999999999999999999"}),
            "--threads: 99999999999999999999 is out of range 1..64");
  EXPECT_NE(error_of({"--target", "echo", "--duration", "0"}).find("--duration: 0 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of({"--target", "echo", "--warmup", "-1"}).find("--warmup: -1 is out of range"),
            std::string::npos);
}

TEST(BenchOptions, UnknownTargetAndOperationsAreNamed) {
  EXPECT_EQ(error_of({"--target", "mysql"}),
            "--target: unknown target 'mysql' (lmpd, echo, redis or postgres)");
  EXPECT_EQ(error_of({"--target", "echo", "--mix", "checkout,status"}),
            "--mix: unknown operation 'status' (checkout, heartbeat or checkin)");
  EXPECT_EQ(error_of({"--target", "echo", "--mix", "checkout,,checkin"}),
            "--mix: empty operation in 'checkout,,checkin'");
  EXPECT_EQ(error_of({"--target", "echo", "--mix", ""}), "--mix: empty operation in ''");
}

TEST(BenchOptions, PortTakesAListOnTheSameHost) {
  auto one = parse({"--target", "lmpd", "--code", "1", "--port", "7001"});
  ASSERT_TRUE(one.options) << one.error;
  EXPECT_EQ(one.options->port, 7001);
  EXPECT_EQ(target_ports(*one.options), (std::vector<std::uint16_t>{7001}));

  auto three = parse({"--target", "lmpd", "--code", "1", "--port=7001,7002,7003"});
  ASSERT_TRUE(three.options) << three.error;
  EXPECT_EQ(three.options->port, 7001);
  EXPECT_EQ(target_ports(*three.options), (std::vector<std::uint16_t>{7001, 7002, 7003}));
  auto echo = parse({"--target", "echo", "--port", "7001,7002", "--connections", "2"});
  ASSERT_TRUE(echo.options) << echo.error;
  EXPECT_EQ(target_ports(*echo.options), (std::vector<std::uint16_t>{7001, 7002}));

  // Without --port: the target's default, alone.
  auto none = parse({"--target", "lmpd", "--code", "1"});
  EXPECT_EQ(target_ports(*none.options), (std::vector<std::uint16_t>{27400}));
}

TEST(BenchOptions, ABadOrEmptyPortOfAListIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"7001,http,7003", "--port: not a number: 'http'"},
      {"7001,70000", "--port: 70000 is out of range 1..65535"},
      {"7001,0", "--port: 0 is out of range 1..65535"},
      {"7001, 7002", "--port: not a number: ' 7002'"},
      {"7001,,7003", "--port: empty port in '7001,,7003'"},
      {"7001,", "--port: empty port in '7001,'"},
      {",7001", "--port: empty port in ',7001'"},
      {"", "--port: empty port in ''"},
  };
  for (const auto& [ports, message] : cases) {
    EXPECT_EQ(error_of({"--target", "lmpd", "--code", "1", "--port=" + ports}), message);
  }
}

TEST(BenchOptions, APortListNeedsAStreamTargetAndAConnectionPerPort) {
  EXPECT_EQ(error_of({"--target", "redis", "--port", "6379,6380"}),
            "--port: a list of ports works with --target lmpd or echo only");
  EXPECT_EQ(error_of({"--target", "postgres", "--port", "5432,5433"}),
            "--port: a list of ports works with --target lmpd or echo only");
  EXPECT_EQ(error_of({"--target", "lmpd", "--code", "1", "--connections", "2", "--port",
                      "7001,7002,7003"}),
            "--port: 3 ports but 2 connections: every port needs at least one connection");
}

}  // namespace
}  // namespace lmp::bench
