#include "test_env.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

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

}  // namespace fraiseql::testing
