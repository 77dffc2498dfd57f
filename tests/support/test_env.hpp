#pragma once
// Where the service fixtures (tests/services) wrote the URLs of the PostgreSQL primary,
// replica and Redis they started. Tests read them through these helpers.

#include <optional>
#include <string>
#include <utility>

namespace fraiseql::testing {

/// A value from the fixture's env file (KEY=VALUE lines), e.g. "PG_PRIMARY_URL".
/// Fails the calling test with a clear message when the fixture did not run.
std::string service_env(const std::string& key);

/// Same, but nullopt when absent.
std::optional<std::string> try_service_env(const std::string& key);

/// Path of a file in the repository / build tree / corpus.
std::string source_path(const std::string& rel);
std::string binary_path(const std::string& rel);
std::string corpus_path(const std::string& rel);

/// Whole file as a string; throws std::runtime_error when it cannot be read.
std::string read_file(const std::string& path);

/// Runs `promtool check metrics` on a Prometheus exposition: its exit status and output.
std::pair<int, std::string> promtool_check(const std::string& exposition);

}  // namespace fraiseql::testing
