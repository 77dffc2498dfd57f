// FraiseQL's verdict on each document, in the format of graphqljs_verdicts.mjs: one JSON line
//   {"file", "parse_ok", "rules": [sorted unique rule names], "messages": [...]}
// Usage: fraiseql_verdicts SCHEMA.graphql (FILE.graphql | DIR | FILE.jsonl)...
//
// Built before validate() existed, the driver only parses: it then prints "rules": null
// and compare.mjs checks parse agreement alone.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/graphql/parser.hpp"

#if FRAISEQL_DIFF_VALIDATE
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/graphql/validation.hpp"
#endif

namespace {

namespace fs = std::filesystem;
namespace gql = fraiseql::graphql;

struct Input {
  std::string file;
  std::string source;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void collect(const std::string& arg, std::vector<Input>& out) {
  const fs::path path(arg);
  if (fs::is_directory(path)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.path().extension() == ".graphql") files.push_back(entry.path());
    }
    // Byte order of names, as JavaScript's default sort() gives for ASCII names.
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return a.filename().string() < b.filename().string();
    });
    for (const auto& f : files) out.push_back({f.filename().string(), read_file(f)});
  } else if (path.extension() == ".jsonl") {
    std::istringstream lines(read_file(path));
    std::string line;
    while (std::getline(lines, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = nlohmann::json::parse(line);
      out.push_back({j.at("file").get<std::string>(), j.at("source").get<std::string>()});
    }
  } else {
    out.push_back({path.filename().string(), read_file(path)});
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: fraiseql_verdicts SCHEMA (FILE.graphql | DIR | FILE.jsonl)...\n";
    return 2;
  }
  try {
#if FRAISEQL_DIFF_VALIDATE
    gql::SchemaBuildOptions build_options;
    // The schema file declares its own scalars and directives, as graphql-js needs.
    build_options.fraiseql_prelude = false;
    auto built = gql::build_schema(read_file(argv[1]), fs::path(argv[1]).filename().string(), build_options);
    if (!built.ok()) {
      std::cerr << "fraiseql_verdicts: schema does not build:\n" << built.error_text() << "\n";
      return 1;
    }
    const gql::Schema& schema = *built.schema();
    gql::ValidationOptions validation_options;
    // graphql-js runs with no error cap here, and has none of FraiseQL's cost limits.
    validation_options.max_errors = UINT32_MAX;
    validation_options.max_depth = 0;
    validation_options.max_aliases = 0;
    validation_options.max_complexity = 0;
#endif
    std::vector<Input> inputs;
    for (int i = 2; i < argc; ++i) collect(argv[i], inputs);

    std::string out;
    for (auto& input : inputs) {
      nlohmann::json line;
      line["file"] = input.file;
      auto parsed = gql::parse_document(std::move(input.source));
      line["parse_ok"] = parsed.ok();
      if (!parsed.ok()) {
        line["rules"] = nlohmann::json::array();
        line["messages"] = {parsed.error().message};
      } else {
#if FRAISEQL_DIFF_VALIDATE
        const auto errors = gql::validate(schema, parsed.document(), validation_options);
        std::set<std::string> rules;
        nlohmann::json messages = nlohmann::json::array();
        for (const auto& e : errors) {
          const std::string rule = e.rule.empty() ? "?" : e.rule;
          rules.insert(rule);
          messages.push_back(rule + ": " + e.message);
        }
        line["rules"] = rules;
        line["messages"] = std::move(messages);
#else
        line["rules"] = nullptr;
        line["messages"] = nlohmann::json::array();
#endif
      }
      // Invalid UTF-8 in a mutated document must not abort the run.
      out += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out += '\n';
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
  } catch (const std::exception& e) {
    std::cerr << "fraiseql_verdicts: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
