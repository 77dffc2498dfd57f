#include "fraiseql/config/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace fraiseql::config {

struct ValuesWriter {
  static std::map<std::string, Values::Entry>& entries(Values& v) { return v.entries_; }
  static std::vector<std::string>& warnings(Values& v) { return v.warnings_; }
};

namespace {

using Entry = Values::Entry;

std::string type_name(const KeySpec& k) {
  switch (k.type) {
    case Type::kString: return "a string";
    case Type::kInt: return "an integer";
    case Type::kBool: return "a boolean (true or false)";
    case Type::kDuration: return "a duration such as 250ms, 30s, 5m or 1h";
    case Type::kBytes: return "a size in bytes such as 1048576, 512KiB or 1MiB";
    case Type::kList: return "a list";
    case Type::kEnum: {
      std::string s = "one of";
      for (const auto& c : k.choices) s += " " + c;
      return s;
    }
  }
  return "a value";
}

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

bool parse_i64(std::string_view s, std::int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits "30s" into 30 and "s".
bool split_number_unit(const std::string& s, std::int64_t& n, std::string& unit) {
  std::size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) != 0)) ++i;
  if (i == 0 || !parse_i64(std::string_view(s).substr(0, i), n)) return false;
  unit = trim(s.substr(i));
  return true;
}

Result<Entry> convert_scalar(const KeySpec& k, const std::string& raw, const std::string& origin) {
  auto bad = [&](const std::string& extra = {}) -> Result<Entry> {
    return make_error(ErrorCode::kInvalidArgument, "config: " + k.path + " (from " + origin + "): expected " +
                                                       type_name(k) + extra + ", got '" + raw + "'");
  };
  Entry e;
  e.origin = origin;
  std::string v = trim(raw);
  switch (k.type) {
    case Type::kString: e.text = raw; break;
    case Type::kEnum:
      if (std::find(k.choices.begin(), k.choices.end(), v) == k.choices.end()) return bad();
      e.text = v;
      break;
    case Type::kInt:
      if (!parse_i64(v, e.number)) return bad();
      if (e.number < k.min || e.number > k.max) {
        return bad(" between " + std::to_string(k.min) + " and " + std::to_string(k.max));
      }
      e.text = v;
      break;
    case Type::kBool: {
      std::string l = v;
      std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
      if (l == "true" || l == "yes" || l == "on" || l == "1") {
        e.number = 1;
      } else if (l == "false" || l == "no" || l == "off" || l == "0") {
        e.number = 0;
      } else {
        return bad();
      }
      e.text = e.number != 0 ? "true" : "false";
      break;
    }
    case Type::kDuration: {
      std::int64_t n = 0;
      std::string unit;
      if (!split_number_unit(v, n, unit)) return bad();
      std::int64_t mult = 0;
      if (unit == "ms")
        mult = 1;
      else if (unit == "s")
        mult = 1000;
      else if (unit == "m")
        mult = 60'000;
      else if (unit == "h")
        mult = 3'600'000;
      else
        return bad();
      if (n > INT64_MAX / mult) return bad();
      e.number = n * mult;
      if (e.number < k.min || e.number > k.max) {
        return bad(" between " + std::to_string(k.min) + "ms and " + std::to_string(k.max) + "ms");
      }
      e.text = v;
      break;
    }
    case Type::kBytes: {
      std::int64_t n = 0;
      std::string unit;
      if (!split_number_unit(v, n, unit)) return bad();
      std::int64_t mult = 0;
      if (unit.empty() || unit == "B")
        mult = 1;
      else if (unit == "KiB" || unit == "K")
        mult = 1024;
      else if (unit == "MiB" || unit == "M")
        mult = 1024LL * 1024;
      else if (unit == "GiB" || unit == "G")
        mult = 1024LL * 1024 * 1024;
      else if (unit == "KB")
        mult = 1000;
      else if (unit == "MB")
        mult = 1000LL * 1000;
      else if (unit == "GB")
        mult = 1000LL * 1000 * 1000;
      else
        return bad();
      if (n > INT64_MAX / mult) return bad();
      e.number = n * mult;
      if (e.number < k.min || e.number > k.max) {
        return bad(" between " + std::to_string(k.min) + " and " + std::to_string(k.max) + " bytes");
      }
      e.text = v;
      break;
    }
    case Type::kList: {
      std::stringstream ss(raw);
      std::string item;
      while (std::getline(ss, item, ',')) {
        item = trim(item);
        if (!item.empty()) e.items.push_back(item);
      }
      break;
    }
  }
  return e;
}

std::string mark_of(const std::string& file, const YAML::Node& n) {
  const auto& m = n.Mark();
  if (m.is_null()) return file;
  return file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

struct Loader {
  const std::vector<KeySpec>& spec;
  std::map<std::string, const KeySpec*> by_path;
  std::set<std::string> sections;

  explicit Loader(const std::vector<KeySpec>& s) : spec(s) {
    for (const auto& k : spec) {
      by_path[k.path] = &k;
      for (auto dot = k.path.find('.'); dot != std::string::npos; dot = k.path.find('.', dot + 1)) {
        sections.insert(k.path.substr(0, dot));
      }
    }
  }

  Result<void> walk(const YAML::Node& node, const std::string& prefix, const std::string& file,
                    std::map<std::string, Entry>& out) {
    for (const auto& kv : node) {
      if (!kv.first.IsScalar()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "config: " + mark_of(file, kv.first) + ": a key must be a name");
      }
      std::string key = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      const YAML::Node& v = kv.second;
      auto it = by_path.find(key);
      if (it != by_path.end()) {
        const KeySpec& k = *it->second;
        std::string origin = mark_of(file, v);
        if (k.type == Type::kList) {
          Entry e;
          e.origin = origin;
          if (v.IsSequence()) {
            for (const auto& item : v) {
              if (!item.IsScalar()) {
                return make_error(
                    ErrorCode::kInvalidArgument,
                    "config: " + key + " (from " + mark_of(file, item) + "): list items must be scalars");
              }
              e.items.push_back(item.Scalar());
            }
          } else if (v.IsScalar()) {
            auto r = convert_scalar(k, v.Scalar(), origin);
            if (!r) return r.error();
            e = std::move(r).value();
          } else if (!v.IsNull()) {
            return make_error(ErrorCode::kInvalidArgument,
                              "config: " + key + " (from " + origin + "): expected a list");
          }
          out[key] = std::move(e);
          continue;
        }
        if (v.IsNull()) {
          if (k.required) {
            return make_error(ErrorCode::kInvalidArgument,
                              "config: " + key + " (from " + origin + "): must not be empty");
          }
          continue;  // an empty value keeps the default
        }
        if (!v.IsScalar()) {
          return make_error(ErrorCode::kInvalidArgument,
                            "config: " + key + " (from " + origin + "): expected " + type_name(k));
        }
        auto r = convert_scalar(k, v.Scalar(), origin);
        if (!r) return r.error();
        out[key] = std::move(r).value();
        continue;
      }
      if (sections.count(key) != 0) {
        if (v.IsNull()) continue;
        if (!v.IsMap()) {
          return make_error(ErrorCode::kInvalidArgument, "config: " + key + " (from " + mark_of(file, v) +
                                                             "): expected a section (a mapping)");
        }
        auto r = walk(v, key, file, out);
        if (!r) return r;
        continue;
      }
      return make_error(ErrorCode::kInvalidArgument,
                        "config: unknown key '" + key + "' at " + mark_of(file, kv.first));
    }
    return {};
  }
};

Result<Values> finish(const std::vector<KeySpec>& spec, std::map<std::string, Entry> from_file,
                      const Environment& env, std::vector<std::string> warnings);

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

std::string env_name(const std::string& path) {
  std::string out = "FRAISEQL_";
  for (char c : path) out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

Result<Values> load_text(const std::vector<KeySpec>& spec, const std::string& yaml,
                         const std::string& origin_name, const Environment& env) {
  std::map<std::string, Entry> from_file;
  if (!trim(yaml).empty()) {
    YAML::Node root;
    try {
      root = YAML::Load(yaml);
    } catch (const YAML::Exception& ex) {
      return make_error(ErrorCode::kInvalidArgument,
                        "config: " + origin_name + ":" + std::to_string(ex.mark.line + 1) + ":" +
                            std::to_string(ex.mark.column + 1) + ": not valid YAML: " + ex.msg);
    }
    if (!root.IsNull()) {
      if (!root.IsMap()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "config: " + origin_name + ": the top level must be a mapping");
      }
      Loader loader(spec);
      auto r = loader.walk(root, "", origin_name, from_file);
      if (!r) return r.error();
    }
  }
  return finish(spec, std::move(from_file), env, {});
}

Result<Values> load(const std::vector<KeySpec>& spec, const std::optional<std::string>& file,
                    const Environment& env) {
  if (!file) return load_text(spec, "", "", env);
  std::ifstream in(*file, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInvalidArgument, "config: cannot read config file " + *file);
  std::stringstream ss;
  ss << in.rdbuf();
  return load_text(spec, ss.str(), *file, env);
}

namespace {

Result<Values> finish(const std::vector<KeySpec>& spec, std::map<std::string, Entry> from_file,
                      const Environment& env, std::vector<std::string> warnings) {
  Values values;
  std::set<std::string> known_env;
  for (const auto& k : spec) {
    // Precedence: default < file < well-known variable < FRAISEQL_<PATH>.
    std::optional<Entry> chosen;
    if (k.default_value) {
      auto r = convert_scalar(k, *k.default_value, "default");
      if (!r) return r.error();
      chosen = std::move(r).value();
    }
    if (auto it = from_file.find(k.path); it != from_file.end()) chosen = it->second;
    std::vector<std::string> names = k.env;
    names.push_back(env_name(k.path));
    for (const auto& name : names) {
      known_env.insert(name);
      auto it = env.find(name);
      if (it == env.end()) continue;
      if (it->second.empty() && k.type != Type::kString && k.type != Type::kList) continue;
      auto r = convert_scalar(k, it->second, "env " + name);
      if (!r) return r.error();
      chosen = std::move(r).value();
    }
    if (!chosen || (k.required && chosen->text.empty() && chosen->items.empty())) {
      if (k.required) {
        std::string hint = k.env.empty() ? env_name(k.path) : k.env.front();
        return make_error(ErrorCode::kInvalidArgument,
                          "config: " + k.path +
                              " is required: set it in the config file or the environment (" + hint + ")");
      }
      continue;
    }
    ValuesWriter::entries(values)[k.path] = std::move(*chosen);
  }
  // Unknown FRAISEQL_* variables only warn: Kubernetes injects FRAISEQL_SERVICE_HOST,
  // FRAISEQL_PORT_8000_TCP, ... for a Service named "fraiseql".
  for (const auto& [name, value] : env) {
    if (name.rfind("FRAISEQL_", 0) == 0 && known_env.count(name) == 0) {
      warnings.push_back("ignoring unknown environment variable " + name);
    }
  }
  ValuesWriter::warnings(values) = std::move(warnings);
  return values;
}

}  // namespace

const Values::Entry& Values::at(const std::string& path) const {
  auto it = entries_.find(path);
  if (it == entries_.end()) {
    static const Entry kEmpty{};
    return kEmpty;
  }
  return it->second;
}

bool Values::has(const std::string& path) const {
  return entries_.count(path) != 0;
}
const std::string& Values::string(const std::string& path) const {
  return at(path).text;
}
std::int64_t Values::integer(const std::string& path) const {
  return at(path).number;
}
bool Values::boolean(const std::string& path) const {
  return at(path).number != 0;
}
std::chrono::milliseconds Values::duration(const std::string& path) const {
  return std::chrono::milliseconds(at(path).number);
}
std::uint64_t Values::bytes(const std::string& path) const {
  return static_cast<std::uint64_t>(at(path).number);
}
const std::vector<std::string>& Values::list(const std::string& path) const {
  return at(path).items;
}
const std::string& Values::origin(const std::string& path) const {
  return at(path).origin;
}

std::string describe(const std::vector<KeySpec>& spec, const Values& values) {
  std::string out;
  for (const auto& k : spec) {
    if (!values.has(k.path)) {
      out += k.path + " = (unset)\n";
      continue;
    }
    std::string v;
    if (k.secret) {
      v = "********";
    } else if (k.type == Type::kList) {
      for (const auto& item : values.list(k.path)) v += (v.empty() ? "" : ",") + item;
      v = "[" + v + "]";
    } else {
      v = values.string(k.path);
    }
    out += k.path + " = " + v + "    # " + values.origin(k.path) + "\n";
  }
  return out;
}

}  // namespace fraiseql::config
