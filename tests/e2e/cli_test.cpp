// The command line and configuration errors as an operator meets them: exit codes and
// messages naming the offending key.

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "daemon.hpp"
#include "test_env.hpp"

namespace fraiseql::e2e {
namespace {

class ConfigFile {
 public:
  explicit ConfigFile(const std::string& yaml) {
    char tmpl[] = "/tmp/fraiseql-e2e-config-XXXXXX";
    int fd = ::mkstemp(tmpl);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    path_ = tmpl;
    std::ofstream(path_) << yaml;
  }
  ~ConfigFile() { std::filesystem::remove(path_); }
  ConfigFile(const ConfigFile&) = delete;
  ConfigFile& operator=(const ConfigFile&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CliTest, VersionExitsZero) {
  auto r = run_fraiseql({"--version"}, {});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("fraiseql ", 0), 0U) << r.out;
}

TEST(CliTest, HelpExitsZero) {
  for (const char* flag : {"--help", "-h"}) {
    auto r = run_fraiseql({flag}, {});
    EXPECT_EQ(r.code, 0) << flag << ": " << r.err;
    EXPECT_NE(r.out.find("Usage: fraiseql"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("check-config"), std::string::npos) << r.out;
  }
}

TEST(CliTest, BadCommandLineExitsTwo) {
  auto r = run_fraiseql({}, {});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("a command is required"), std::string::npos) << r.err;
  r = run_fraiseql({"frobnicate"}, {});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
  r = run_fraiseql({"serve", "--no-such-flag"}, {});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
  r = run_fraiseql({"serve", "--config"}, {});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--config"), std::string::npos) << r.err;
}

TEST(CliTest, UnknownYamlKeyExitsTwoNamingIt) {
  ConfigFile file("server:\n  prot: 8080\n");
  auto r = run_fraiseql({"serve", "--config", file.path()}, daemon_env());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("server.prot"), std::string::npos) << r.err;
  // check-config refuses it the same way.
  r = run_fraiseql({"check-config", "--config", file.path()}, daemon_env());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("server.prot"), std::string::npos) << r.err;
}

TEST(CliTest, BadValueExitsTwoNamingTheKey) {
  Env env = daemon_env();
  env["PORT"] = "abc";
  auto r = run_fraiseql({"serve"}, env);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("PORT"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("server.port"), std::string::npos) << r.err;

  env = daemon_env();
  env["FRAISEQL_SERVER_HEADER_TIMEOUT"] = "soon";
  r = run_fraiseql({"serve"}, env);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("FRAISEQL_SERVER_HEADER_TIMEOUT"), std::string::npos) << r.err;

  ConfigFile file("server:\n  max_body_bytes: lots\n");
  r = run_fraiseql({"serve", "--config", file.path()}, daemon_env());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("server.max_body_bytes"), std::string::npos) << r.err;
}

TEST(CliTest, MissingDatabaseUrlExitsTwoNamingIt) {
  Env env = daemon_env();
  env.erase("DATABASE_URL");
  auto r = run_fraiseql({"serve"}, env);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("DATABASE_URL"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("database.url"), std::string::npos) << r.err;
}

TEST(CliTest, BadLogFormatExitsTwo) {
  auto r = run_fraiseql({"serve", "--log-format", "xml"}, daemon_env());
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("log.format"), std::string::npos) << r.err;
}

TEST(CliTest, CheckConfigAcceptsTheExampleFile) {
  std::string example = testing::source_path("config/fraiseql.example.yaml");
  if (!std::filesystem::exists(example)) GTEST_SKIP() << example << " does not exist";
  Env env = daemon_env();
  env["DATABASE_URL"] = "postgresql://fraiseql:s3cret-e2e@127.0.0.1:1/fraiseql";
  auto r = run_fraiseql({"check-config", "--config", example}, env);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("configuration OK"), std::string::npos) << r.out;
  // Secrets are not printed.
  EXPECT_EQ(r.out.find("s3cret-e2e"), std::string::npos) << r.out;
}

TEST(CliTest, PortInUseExitsOne) {
  // A plain listener without SO_REUSEPORT, so the daemon cannot share the port.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  Env env = daemon_env();
  env["PORT"] = std::to_string(ntohs(addr.sin_port));
  auto r = run_fraiseql({"serve"}, env);
  ::close(fd);
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace fraiseql::e2e
