#include "fraiseql/exec/sql_data_source.hpp"

#include <spdlog/spdlog.h>

#include "fraiseql/graphql/errors.hpp"

namespace fraiseql::exec {
namespace {

constexpr std::string_view kServiceUnavailable = "SERVICE_UNAVAILABLE";
constexpr std::string_view kTimeout = "TIMEOUT";

// A failure with no data: the operation as a whole could not run.
OperationResponse failure(const Error& error, bool expose, const std::string& request_id) {
  switch (error.code) {
    case ErrorCode::kUnavailable:
      return {Outcome::kUnavailable,
              error_response("The database is unavailable; try again.", kServiceUnavailable)};
    case ErrorCode::kTimeout:
    case ErrorCode::kResourceExhausted:
      return {Outcome::kUnavailable,
              error_response("The database did not answer in time; try again.", kTimeout)};
    default: break;
  }
  // SQL errors are defects of the compiled statement or of the database objects: log
  // them whole, show them only when asked to.
  spdlog::error("{} database error: {}", request_id, error.message);
  return {Outcome::kInternalError,
          error_response(expose ? "Database error: " + error.message : "Internal server error.",
                         graphql::code::kInternalServerError)};
}

}  // namespace

SqlDataSource::SqlDataSource(std::shared_ptr<const sql::SchemaMapping> mapping, db::Router& router,
                             SqlDataSourceOptions options)
    : mapping_(std::move(mapping)), router_(router), options_(options) {}

void SqlDataSource::execute(ReadyOperation op, Done done) {
  if (op.operation->operation == graphql::OperationType::kMutation) {
    execute_mutation(std::move(op), std::move(done));
    return;
  }
  const PreparedDocument& doc = *op.prepared;
  const std::string plan_key(op.operation->name.value);
  std::shared_ptr<const sql::CompiledQuery> plan;
  {
    std::lock_guard lock(doc.plans_mu);
    if (auto it = doc.plans.find(plan_key); it != doc.plans.end()) {
      plan = std::static_pointer_cast<const sql::CompiledQuery>(it->second);
    }
  }
  std::optional<sql::CompiledQuery> query;
  if (plan) {
    // A cached plan only needs this request's values in its parameters.
    if (auto params = sql::rebind(*plan, op.variables, options_.compile)) {
      query.emplace(sql::CompiledQuery{plan->sql, std::move(*params), plan->intent, plan->reusable});
    }
  }
  if (!query) {
    auto compiled =
        sql::compile(*mapping_, *doc.document, op.operation->name.value, op.variables, options_.compile);
    if (!compiled.ok()) {
      // Argument values the compiler refuses (a limit over the maximum...) are the
      // caller's; anything else is ours.
      bool user = !compiled.errors.empty() && compiled.errors.front().code == graphql::code::kBadUserInput;
      done({user ? Outcome::kRequestError : Outcome::kInternalError,
            graphql::errors_response_json(compiled.errors)});
      return;
    }
    query = std::move(compiled.query);
    if (query->reusable && !plan) {
      std::lock_guard lock(doc.plans_mu);
      doc.plans.emplace(plan_key, std::make_shared<const sql::CompiledQuery>(*query));
    }
  }
  auto& compiled_query = *query;
  db::Params params;
  params.reserve(compiled_query.params.size());
  for (auto& p : compiled_query.params) params.push_back(std::move(p.value));
  const auto intent = compiled_query.intent == sql::Intent::kWrite ? db::Intent::kWrite : db::Intent::kRead;
  router_.execute(intent, std::move(compiled_query.sql), std::move(params),
                  Deadline::after(options_.deadline),
                  [done = std::move(done), expose = options_.expose_database_errors,
                   request_id = std::move(op.request_id)](Result<db::Rows> result) {
                    if (!result) {
                      done(failure(result.error(), expose, request_id));
                      return;
                    }
                    auto& rows = result->rows;
                    if (rows.size() != 1 || rows[0].empty() || !rows[0][0]) {
                      spdlog::error("{} the statement returned {} rows instead of one JSON value", request_id,
                                    rows.size());
                      done({Outcome::kInternalError,
                            error_response("Internal server error.", graphql::code::kInternalServerError)});
                      return;
                    }
                    // PostgreSQL built the whole data object: pass it through untouched.
                    std::string body;
                    const std::string& data = *rows[0][0];
                    body.reserve(data.size() + 9);
                    body += "{\"data\":";
                    body += data;
                    body += '}';
                    done({Outcome::kExecuted, std::move(body)});
                  });
}

}  // namespace fraiseql::exec
