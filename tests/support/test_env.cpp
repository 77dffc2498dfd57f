#include "test_env.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace fraiseql::testing {

std::optional<std::string> try_service_env(const std::string& key) {
  const char* file = std::getenv("FRAISEQL_TEST_ENV");  // NOLINT(concurrency-mt-unsafe)
  if (file == nullptr) return std::nullopt;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos && line.compare(0, eq, key) == 0 && eq == key.size()) {
      return line.substr(eq + 1);
    }
  }
  return std::nullopt;
}

std::string service_env(const std::string& key) {
  auto v = try_service_env(key);
  if (!v)
    throw std::runtime_error("test service variable " + key + " not set: did the services fixture run?");
  return *v;
}

std::string source_path(const std::string& rel) {
  return std::string(FRAISEQL_SOURCE_DIR) + "/" + rel;
}
std::string binary_path(const std::string& rel) {
  return std::string(FRAISEQL_BINARY_DIR) + "/" + rel;
}
std::string corpus_path(const std::string& rel) {
  return std::string(FRAISEQL_CORPUS_DIR) + "/" + rel;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::pair<int, std::string> promtool_check(const std::string& exposition) {
  char path[] = "/tmp/fraiseql-metrics-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  std::ofstream(path, std::ios::binary) << exposition;
  std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");  // NOLINT(cert-env33-c): a fixed command line
  std::string output;
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) output += buf;
  int status = p != nullptr ? ::pclose(p) : -1;
  std::remove(path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace fraiseql::testing
