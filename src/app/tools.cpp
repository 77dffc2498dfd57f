#include "tools.hpp"

#include <iostream>

#include <nlohmann/json.hpp>

#include "fraiseql/db/router.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/sql/compiler.hpp"

#include "schema_setup.hpp"

namespace fraiseql::app {
namespace {

using nlohmann::json;

db::RouterOptions one_connection(const Settings& settings) {
  db::RouterOptions o;
  o.primary_url = settings.database_url;
  o.primary_limits = {.size = 1, .max_overflow = 0};
  o.health_interval = settings.health_interval;
  o.health_timeout = settings.health_timeout;
  return o;
}

// Captures the operation the engine prepared and compiles it instead of running it.
class Printer final : public exec::DataSource {
 public:
  Printer(std::shared_ptr<const sql::SchemaMapping> mapping, sql::CompileOptions options)
      : mapping_(std::move(mapping)), options_(std::move(options)) {}
  void execute(exec::ReadyOperation op, exec::Done done) override {
    auto compiled =
        sql::compile(*mapping_, *op.prepared->document, op.operation->name.value, op.variables, options_);
    if (!compiled.ok()) {
      done({exec::Outcome::kRequestError, graphql::errors_response_json(compiled.errors)});
      return;
    }
    json params = json::array();
    for (const auto& p : compiled.query->params) {
      params.push_back({{"value", p.value ? json(*p.value) : json(nullptr)}, {"type", p.type}});
    }
    json out = {{"sql", compiled.query->sql},
                {"params", params},
                {"intent", compiled.query->intent == sql::Intent::kWrite ? "write" : "read"}};
    done({exec::Outcome::kExecuted, out.dump(2)});
  }

 private:
  std::shared_ptr<const sql::SchemaMapping> mapping_;
  sql::CompileOptions options_;
};

// The schema checked against the database over one short-lived connection.
LoadedSchema load_for_tool(const Settings& settings) {
  if (settings.schema_path.empty()) {
    std::cerr << "fraiseql: schema.path (FRAISEQL_SCHEMA_PATH) is not set\n";
    return {.mapping = nullptr, .exit_code = 2};
  }
  db::Router router(one_connection(settings));
  router.start();
  auto loaded = load_schema(settings.schema_path, router, settings.health_timeout * 5);
  router.stop();
  return loaded;
}

}  // namespace

int check_schema(const Settings& settings) {
  auto loaded = load_for_tool(settings);
  if (!loaded.mapping) return loaded.exit_code;
  std::cout << settings.schema_path << ": schema OK, " << loaded.mapping->types().size()
            << " view-backed types agree with the database\n";
  return 0;
}

int print_sql(const Settings& settings, const std::string& document, const std::string& operation_name,
              const std::string& variables_json) {
  json variables = nullptr;
  if (!variables_json.empty()) {
    variables = json::parse(variables_json, nullptr, false);
    if (variables.is_discarded() || !variables.is_object()) {
      std::cerr << "fraiseql: --variables must be a JSON object\n";
      return 2;
    }
  }
  auto loaded = load_for_tool(settings);
  if (!loaded.mapping) return loaded.exit_code;
  sql::CompileOptions options;
  options.default_limit = settings.default_limit;
  options.max_limit = settings.max_limit;
  exec::Engine engine(loaded.mapping->schema_ptr(), {}, std::make_shared<Printer>(loaded.mapping, options));
  exec::OperationRequest request;
  request.query = document;
  request.operation_name = operation_name;
  request.variables = std::move(variables);
  int code = 1;
  engine.execute(std::move(request), [&code](const exec::OperationResponse& r) {
    if (r.outcome == exec::Outcome::kExecuted) {
      std::cout << r.body << "\n";
      code = 0;
    } else {
      std::cerr << r.body << "\n";
    }
  });
  return code;
}

}  // namespace fraiseql::app
