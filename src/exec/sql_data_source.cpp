#include "fraiseql/exec/sql_data_source.hpp"

#include <atomic>
#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "fraiseql/graphql/errors.hpp"

#include "database_errors.hpp"

namespace fraiseql::exec {
namespace {

// A failure with no data: the database could not run the operation at all.
OperationResponse failure(const Error& error, bool expose) {
  const DatabaseErrorInfo info = map_database_error(error, expose);
  return {Outcome::kUnavailable, error_response(info.message, info.code)};
}

bool whole_operation_failure(const Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kTimeout ||
         error.code == ErrorCode::kResourceExhausted;
}

/// The value of the single entry of the JSON object `{"key": value}` that a statement of
/// one root field returns, as its text (PostgreSQL's bytes, not re-serialised); nullopt
/// when the text is not such an object. Response keys are GraphQL names, so the first
/// colon ends the key.
std::optional<std::string> single_entry_value(const std::string& object) {
  if (!nlohmann::json::accept(object)) return std::nullopt;
  const std::size_t colon = object.find(':');
  const std::size_t close = object.rfind('}');
  if (colon == std::string::npos || close == std::string::npos || close < colon) return std::nullopt;
  std::string value = object.substr(colon + 1, close - colon - 1);
  const std::size_t first = value.find_first_not_of(" \t\n");
  const std::size_t last = value.find_last_not_of(" \t\n");
  if (first == std::string::npos) return std::nullopt;
  return value.substr(first, last - first + 1);
}

void append_json_key(std::string& out, std::string_view key) {
  // Response keys are GraphQL names: no character needs escaping.
  out.push_back('"');
  out.append(key);
  out += "\":";
}

/// After the statement of a whole operation failed with an SQL error: runs each data root
/// field on its own, then answers with the fields that succeeded and one error (with its
/// path) per field that failed, nulls propagated as the spec says for root fields.
class FailureLocator : public std::enable_shared_from_this<FailureLocator> {
 public:
  FailureLocator(ReadyOperation op, Done done, std::shared_ptr<const sql::SchemaMapping> mapping,
                 db::Router& router, SqlDataSourceOptions options)
      : op_(std::move(op)),
        done_(std::move(done)),
        mapping_(std::move(mapping)),
        router_(router),
        options_(std::move(options)) {}

  void start(const Error& first_error) {
    const graphql::Document& document = *op_.prepared->document;
    roots_ = sql::root_selections(*mapping_, document, op_.operation->name.value, op_.variables);
    results_.resize(roots_.size());
    std::size_t data_roots = 0;
    for (const auto& r : roots_) data_roots += r.meta ? 0 : 1;
    spdlog::warn("{} the operation's statement failed ({}); running its {} data root fields one by one",
                 op_.request_id, first_error.message, data_roots);
    pending_ = data_roots + 1;  // +1 until every statement is sent
    for (std::size_t i = 0; i < roots_.size(); ++i) {
      if (roots_[i].meta) continue;
      sql::CompileOptions options = options_.compile;
      options.only_roots = {roots_[i].key};
      auto compiled = sql::compile(*mapping_, document, op_.operation->name.value, op_.variables, options);
      if (!compiled.ok()) {
        {
          std::lock_guard lock(mu_);
          results_[i].error = compiled.errors.front();
        }
        finish_one();
        continue;
      }
      db::Params params;
      params.reserve(compiled.query->params.size());
      for (auto& p : compiled.query->params) params.push_back(std::move(p.value));
      router_.execute(
          db::Intent::kRead, std::move(compiled.query->sql), std::move(params),
          Deadline::after(options_.deadline),
          [self = shared_from_this(), i](const Result<db::Rows>& result) { self->record(i, result); },
          db::Consistency{.subject = op_.subject, .token = {}}, op_.db_settings);
    }
    finish_one();
  }

 private:
  struct FieldResult {
    std::optional<std::string> value;  // JSON text
    std::optional<graphql::GraphQLError> error;
  };

  void record(std::size_t i, const Result<db::Rows>& result) {
    FieldResult r;
    const sql::RootSelection& root = roots_[i];
    if (!result) {
      const DatabaseErrorInfo info = map_database_error(result.error(), options_.expose_database_errors);
      if (info.internal) {
        spdlog::error("{} database error in root field {}: {}", op_.request_id, root.key,
                      result.error().message);
      } else {
        spdlog::warn("{} database error in root field {}: {}", op_.request_id, root.key,
                     result.error().message);
      }
      graphql::GraphQLError e;
      e.message = info.message;
      e.locations.push_back(root.location);
      e.path.emplace_back(root.key);
      e.code = std::string(info.code);
      r.error = std::move(e);
    } else {
      const auto& rows = result->rows;
      std::optional<std::string> value;
      if (rows.size() == 1 && !rows[0].empty() && rows[0][0]) value = single_entry_value(*rows[0][0]);
      if (value) {
        r.value = std::move(value);
      } else {
        spdlog::error("{} the statement of root field {} did not return one JSON object", op_.request_id,
                      root.key);
        graphql::GraphQLError e;
        e.message = "Internal server error.";
        e.locations.push_back(root.location);
        e.path.emplace_back(root.key);
        e.code = std::string(graphql::code::kInternalServerError);
        r.error = std::move(e);
      }
    }
    {
      std::lock_guard lock(mu_);
      results_[i] = std::move(r);
    }
    finish_one();
  }

  void finish_one() {
    if (pending_.fetch_sub(1) != 1) return;
    done_({Outcome::kExecuted, response()});
  }

  /// `{"errors": [...], "data": {...}}` from the results, in the operation's key order.
  std::string response() {
    std::vector<graphql::GraphQLError> errors;
    bool data_null = false;
    std::string data = "{";
    bool first = true;
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < roots_.size(); ++i) {
      const sql::RootSelection& root = roots_[i];
      std::string value = "null";
      if (root.meta) {
        for (const auto& [key, text] : op_.meta_fields) {
          if (key == root.key) value = text;
        }
      } else if (results_[i].error) {
        errors.push_back(*results_[i].error);
        data_null = data_null || root.non_null;
      } else if (results_[i].value) {
        value = *results_[i].value;
      }
      if (!first) data.push_back(',');
      first = false;
      append_json_key(data, root.key);
      data += value;
    }
    data.push_back('}');
    if (errors.empty()) {
      spdlog::warn("{} every root field succeeded on its own after the whole statement failed",
                   op_.request_id);
    }
    std::string body = "{";
    if (!errors.empty()) {
      body += "\"errors\":";
      graphql::append_errors_json(body, errors);
      body.push_back(',');
    }
    body += "\"data\":";
    body += data_null ? "null" : data;
    body.push_back('}');
    return body;
  }

  ReadyOperation op_;
  Done done_;
  std::shared_ptr<const sql::SchemaMapping> mapping_;
  db::Router& router_;
  SqlDataSourceOptions options_;
  std::vector<sql::RootSelection> roots_;
  std::mutex mu_;
  std::vector<FieldResult> results_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace

SqlDataSource::SqlDataSource(std::shared_ptr<const sql::SchemaMapping> mapping, db::Router& router,
                             SqlDataSourceOptions options)
    : mapping_(std::move(mapping)), router_(router), options_(std::move(options)) {}

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
    // Meta-fields beside data fields (`__schema`, `__type`) were answered by the engine:
    // their JSON is bound in place, so the response keeps the document's order.
    std::optional<sql::CompileOptions> with_meta;
    for (const auto& [key, value] : op.meta_fields) {
      if (value.empty()) continue;
      if (!with_meta) with_meta = options_.compile;
      with_meta->root_values.emplace_back(key, value);
    }
    auto compiled = sql::compile(*mapping_, *doc.document, op.operation->name.value, op.variables,
                                 with_meta ? *with_meta : options_.compile);
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
  // The caller's context goes with the statement: RLS sees it on the replica too.
  const db::Consistency consistency{.subject = op.subject, .token = {}};
  db::Settings settings = std::move(op.db_settings);
  router_.execute(
      intent, std::move(compiled_query.sql), std::move(params), Deadline::after(options_.deadline),
      [done = std::move(done), op = std::move(op), mapping = mapping_, &router = router_,
       options = options_](Result<db::Rows> result) mutable {
        const std::string& request_id = op.request_id;
        if (!result) {
          if (whole_operation_failure(result.error())) {
            done(failure(result.error(), options.expose_database_errors));
            return;
          }
          // An SQL error: find the root fields it belongs to.
          auto locator = std::make_shared<FailureLocator>(std::move(op), std::move(done), std::move(mapping),
                                                          router, options);
          locator->start(result.error());
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
      },
      consistency, std::move(settings));
}

}  // namespace fraiseql::exec
