#pragma once
/// Generic configuration loading: a YAML file overlaid by environment variables,
/// checked against a table of known keys. It does not know what any key means.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fraiseql/core/result.hpp"

namespace fraiseql::config {

enum class Type {
  kString,
  kInt,       // integer within [min, max]
  kBool,      // true/false/yes/no/on/off/1/0
  kDuration,  // "250ms", "30s", "5m", "1h"
  kBytes,     // "1048576", "512KiB", "1MiB", "1GiB"
  kList,      // YAML sequence, or comma-separated in the environment
  kEnum,      // one of `choices`
};

/// One known key. `path` is dotted ("server.port"); its environment name is derived
/// (FRAISEQL_SERVER_PORT) and `env` lists extra well-known names (PORT).
struct KeySpec {
  std::string path;
  Type type = Type::kString;
  std::optional<std::string> default_value;  // as it would be written in YAML
  std::vector<std::string> env;
  std::string doc;
  bool required = false;
  std::int64_t min = INT64_MIN;
  std::int64_t max = INT64_MAX;
  std::vector<std::string> choices;
  bool secret = false;  // never printed by describe()
};

using Environment = std::map<std::string, std::string>;

/// The environment of this process, as a map.
Environment process_environment();

/// Derived environment name of a key path: "server.port" -> "FRAISEQL_SERVER_PORT".
std::string env_name(const std::string& path);

/// Checked values, each with where it came from (default, file:line, env NAME).
class Values {
 public:
  [[nodiscard]] bool has(const std::string& path) const;
  [[nodiscard]] const std::string& string(const std::string& path) const;
  [[nodiscard]] std::int64_t integer(const std::string& path) const;
  [[nodiscard]] bool boolean(const std::string& path) const;
  [[nodiscard]] std::chrono::milliseconds duration(const std::string& path) const;
  [[nodiscard]] std::uint64_t bytes(const std::string& path) const;
  [[nodiscard]] const std::vector<std::string>& list(const std::string& path) const;
  [[nodiscard]] const std::string& origin(const std::string& path) const;

  /// Warnings gathered while loading (e.g. an unknown FRAISEQL_* variable).
  [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

  struct Entry {
    std::string text;                // scalar text (kString/kEnum/raw)
    std::vector<std::string> items;  // kList
    std::int64_t number = 0;         // kInt, kDuration (ms), kBytes, kBool
    std::string origin;
  };

 private:
  friend struct ValuesWriter;
  const Entry& at(const std::string& path) const;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> warnings_;
};

/// Loads `file` (when given) then overlays `env`. The error names the offending key,
/// its origin and what was expected.
Result<Values> load(const std::vector<KeySpec>& spec, const std::optional<std::string>& file,
                    const Environment& env);

/// Same, from YAML text; `origin_name` names it in messages.
Result<Values> load_text(const std::vector<KeySpec>& spec, const std::string& yaml,
                         const std::string& origin_name, const Environment& env);

/// Human-readable listing of the effective settings (secrets masked).
std::string describe(const std::vector<KeySpec>& spec, const Values& values);

}  // namespace fraiseql::config
