// The fraiseql binary: command line, then the composition root in serve.cpp.

#include <cstdio>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fraiseql/core/version.hpp"

#include "serve.hpp"
#include "settings.hpp"
#include "tools.hpp"

namespace {

constexpr const char* kUsage = R"(Usage: fraiseql <command> [options]

Commands:
  serve          Run the GraphQL server.
  check-config   Load and check the configuration, print the effective settings, exit.
  check-schema   Build the schema and check it against the database (views, columns), exit.
  print-sql      Read a GraphQL document on stdin and print the SQL it compiles to, as JSON.

Options:
  --operation NAME     print-sql: the operation to compile (when the document has several).
  --variables JSON     print-sql: the operation's variables.
  --config FILE        YAML configuration file (also FRAISEQL_CONFIG). Environment
                       variables override it (DATABASE_URL, PORT, FRAISEQL_<SECTION>_<KEY>...).
  --log-format FORMAT  text or json (overrides log.format).
  --version            Print the version and exit.
  -h, --help           Print this help and exit.

Exit codes: 0 success, 1 runtime failure, 2 bad command line or configuration.
)";

int usage_error(const std::string& message) {
  std::cerr << "fraiseql: " << message << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::optional<std::string> command;
  std::optional<std::string> config_file;
  std::optional<std::string> log_format;
  std::string operation;
  std::string variables;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--version") {
      std::cout << "fraiseql " << fraiseql::version() << "\n";
      return 0;
    }
    if (a == "--config" || a == "--log-format") {
      if (i + 1 >= args.size()) return usage_error(a + " needs a value");
      (a == "--config" ? config_file : log_format) = args[++i];
      continue;
    }
    if (a == "--operation" || a == "--variables") {
      if (i + 1 >= args.size()) return usage_error(a + " needs a value");
      (a == "--operation" ? operation : variables) = args[++i];
      continue;
    }
    if (a.rfind("--config=", 0) == 0) {
      config_file = a.substr(9);
      continue;
    }
    if (a.rfind("--log-format=", 0) == 0) {
      log_format = a.substr(13);
      continue;
    }
    if (!a.empty() && a[0] == '-') return usage_error("unknown option " + a);
    if (command) return usage_error("unexpected argument " + a);
    command = a;
  }
  if (!command) return usage_error("a command is required");
  if (*command != "serve" && *command != "check-config" && *command != "check-schema" &&
      *command != "print-sql") {
    return usage_error("unknown command " + *command);
  }

  auto env = fraiseql::config::process_environment();
  if (!config_file) {
    if (auto it = env.find("FRAISEQL_CONFIG"); it != env.end() && !it->second.empty())
      config_file = it->second;
  }
  if (log_format) env["FRAISEQL_LOG_FORMAT"] = *log_format;
  env.erase("FRAISEQL_CONFIG");

  std::vector<std::string> warnings;
  auto settings = fraiseql::app::load_settings(config_file, env, &warnings);
  if (!settings) {
    std::cerr << "fraiseql: " << settings.error().message << "\n";
    return 2;
  }
  if (*command == "check-config") {
    auto values = fraiseql::config::load(fraiseql::app::settings_spec(), config_file, env);
    for (const auto& w : warnings) std::cerr << "fraiseql: warning: " << w << "\n";
    std::cout << fraiseql::config::describe(fraiseql::app::settings_spec(), *values);
    std::cout << "configuration OK\n";
    return 0;
  }
  if (*command == "check-schema" || *command == "print-sql") {
    fraiseql::log::init(settings->log);
    int code = 0;
    if (*command == "check-schema") {
      code = fraiseql::app::check_schema(*settings);
    } else {
      std::string document{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      code = fraiseql::app::print_sql(*settings, document, operation, variables);
    }
    fraiseql::log::shutdown();
    return code;
  }
  return fraiseql::app::serve(*settings, warnings);
}
