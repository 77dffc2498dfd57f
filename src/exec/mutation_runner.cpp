// Mutation operations (DESIGN §3): the root fields run serially, in document order (spec
// §6.3 "Normal and Serial Execution"), each compiled to one statement that calls its
// @function and run by Router::write in a transaction of its own on the primary. The
// response is assembled here, because a failed field must not undo the fields before it:
// each one's JSON comes from PostgreSQL untouched, and errors are per field.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "fraiseql/core/json.hpp"
#include "fraiseql/exec/sql_data_source.hpp"
#include "fraiseql/graphql/errors.hpp"
#include "fraiseql/graphql/introspection.hpp"
#include "fraiseql/sql/mutation.hpp"

#include "database_errors.hpp"

namespace fraiseql::exec {
namespace {

constexpr std::string_view kServiceUnavailable = "SERVICE_UNAVAILABLE";

/// One root response key of the operation.
struct RootEntry {
  std::string key;
  std::vector<const graphql::Field*> fields;
  bool meta = false;
  bool non_null = false;
  std::string value = "null";  // JSON text once run
};

/// The state of one mutation operation while its fields run one after another. Shared
/// with the router's callbacks; lives until the last one has answered.
class MutationRun : public std::enable_shared_from_this<MutationRun> {
 public:
  MutationRun(std::shared_ptr<const sql::SchemaMapping> mapping, db::Router& router,
              const SqlDataSourceOptions& options, ReadyOperation op, Done done)
      : mapping_(std::move(mapping)),
        router_(router),
        options_(options),
        op_(std::move(op)),
        done_(std::move(done)) {}

  void start() {
    const graphql::Schema& schema = mapping_->schema();
    const graphql::TypeDef* root = schema.mutation_type();
    const graphql::Document& document = *op_.prepared->document;
    graphql::Introspection collector(schema, document, op_.variables);
    const graphql::SelectionSet* sets[] = {op_.operation->selection_set};
    for (auto& [key, fields] : collector.collect_fields(*root, sets)) {
      RootEntry e;
      e.key = std::string(key);
      e.fields = std::move(fields);
      const std::string_view name = e.fields.front()->name.value;
      e.meta = graphql::Introspection::is_meta_field(name);
      if (const graphql::FieldDef* def = schema.field(*root, name); def != nullptr) {
        e.non_null = def->type.is_non_null();
      }
      if (e.meta) {
        for (const auto& [meta_key, value] : op_.meta_fields) {
          if (meta_key == e.key) e.value = value;
        }
      }
      entries_.push_back(std::move(e));
    }
    next();
  }

 private:
  // Runs the next data field, or answers when none is left. A non-null field that failed
  // nulls `data` and stops the operation (the response could not show what later fields
  // did); a nullable one is null and the next field runs.
  void next() {
    while (index_ < entries_.size() && entries_[index_].meta) ++index_;
    if (index_ >= entries_.size() || data_null_) {
      answer();
      return;
    }
    RootEntry& entry = entries_[index_];
    auto compiled = compile(entry);
    if (!compiled.ok()) {
      for (auto& e : compiled.errors) add_error(std::move(e));
      field_failed();
      return;
    }
    sql::CompiledMutation& m = *compiled.mutation;
    db::Params params;
    params.reserve(m.params.size());
    for (auto& p : m.params) params.push_back(std::move(p.value));
    router_.write(
        std::move(m.sql), std::move(params), Deadline::after(options_.deadline),
        [self = shared_from_this(), field = std::move(m.field)](Result<db::Rows> result) {
          self->on_result(field, std::move(result));
        },
        db::Consistency{.subject = op_.subject, .token = {}}, op_.db_settings);
  }

  // The field's statement: a plan kept with the document when no variable shapes it
  // (only the input differs), else compiled for this request.
  sql::MutationCompileResult compile(const RootEntry& entry) {
    const PreparedDocument& doc = *op_.prepared;
    const graphql::Field& node = *entry.fields.front();
    // Field nodes are unique by position; ':' keeps these keys apart from the query
    // plans, which are keyed by operation name.
    const std::string plan_key = "mutation:" + std::to_string(node.loc.line) + ":" +
                                 std::to_string(node.loc.column) + ":" + std::to_string(entry.fields.size()) +
                                 ":" + entry.key;
    std::shared_ptr<const sql::CompiledMutation> plan;
    {
      std::lock_guard lock(doc.plans_mu);
      if (auto it = doc.plans.find(plan_key); it != doc.plans.end()) {
        plan = std::static_pointer_cast<const sql::CompiledMutation>(it->second);
      }
    }
    if (plan) return sql::rebind_mutation(*mapping_, *plan, entry.key, node, op_.variables);
    auto compiled = sql::compile_mutation(*mapping_, *doc.document, entry.key, entry.fields, op_.variables,
                                          options_.compile);
    if (compiled.ok() && compiled.mutation->reusable) {
      std::lock_guard lock(doc.plans_mu);
      doc.plans.emplace(plan_key, std::make_shared<const sql::CompiledMutation>(*compiled.mutation));
    }
    return compiled;
  }

  void on_result(const sql::MutationField& field, Result<db::Rows> result) {
    RootEntry& entry = entries_[index_];
    if (!result) {
      database_failed(field, result.error());
      return;
    }
    const auto& rows = result->rows;
    if (rows.size() != 1 || rows[0].size() != 2) {
      spdlog::error("{} {} returned {} rows instead of one", op_.request_id, field.function, rows.size());
      field_error("Internal server error.", graphql::code::kInternalServerError);
      return;
    }
    const auto& status = rows[0][0];
    const auto& value = rows[0][1];
    if (!value) {
      // The write happened (it is committed) but its status selects no member: a
      // defect of the function, which the caller must hear about.
      spdlog::error("{} {} returned status {} for Mutation.{}, which selects no member of {}", op_.request_id,
                    field.function, status ? "\"" + *status + "\"" : std::string("null"), field.def->name,
                    field.result->name);
      field_error(options_.expose_database_errors
                      ? field.function + " returned status " + (status ? "\"" + *status + "\"" : "null") +
                            ", which selects no member of " + std::string(field.result->name)
                      : "Internal server error.",
                  graphql::code::kInternalServerError);
      return;
    }
    entry.value = *value;
    ++index_;
    next();
  }

  void database_failed(const sql::MutationField& field, const Error& error) {
    DatabaseErrorInfo info = map_database_error(error, options_.expose_database_errors);
    std::string message = std::move(info.message);
    if (error.code == ErrorCode::kUnavailable) {
      // The transaction did not commit, except when the connection broke during COMMIT.
      const bool in_doubt = error.message.find("outcome is unknown") != std::string::npos;
      spdlog::warn("{} Mutation.{} ({}): {}", op_.request_id, field.def->name, field.function, error.message);
      message = in_doubt ? "The connection to the database was lost while committing; the change may or may "
                           "not have been applied."
                         : "The connection to the database was lost; the change was not applied. Try again.";
      info.code = kServiceUnavailable;
    } else if (info.internal) {
      spdlog::error("{} Mutation.{} ({}): database error: {}", op_.request_id, field.def->name,
                    field.function, error.message);
    } else {
      spdlog::info("{} Mutation.{} ({}) failed: {}", op_.request_id, field.def->name, field.function,
                   error.message);
    }
    field_error(std::move(message), info.code);
  }

  void field_error(std::string message, std::string_view code) {
    const RootEntry& entry = entries_[index_];
    graphql::GraphQLError e;
    e.message = std::move(message);
    e.locations.push_back(entry.fields.front()->loc);
    e.path.emplace_back(entry.key);
    e.code = std::string(code);
    add_error(std::move(e));
    field_failed();
  }

  void add_error(graphql::GraphQLError e) { errors_.push_back(std::move(e)); }

  void field_failed() {
    if (entries_[index_].non_null) data_null_ = true;
    ++index_;
    next();
  }

  void answer() {
    std::string body = "{";
    if (!errors_.empty()) {
      body += "\"errors\":";
      graphql::append_errors_json(body, errors_);
      body += ',';
    }
    body += "\"data\":";
    if (data_null_) {
      body += "null";
    } else {
      body += '{';
      bool first = true;
      for (const RootEntry& e : entries_) {
        if (!first) body += ',';
        first = false;
        append_json_string(body, e.key);
        body += ':';
        body += e.value;
      }
      body += '}';
    }
    body += '}';
    auto done = std::move(done_);
    done({Outcome::kExecuted, std::move(body)});
  }

  std::shared_ptr<const sql::SchemaMapping> mapping_;
  db::Router& router_;
  SqlDataSourceOptions options_;
  ReadyOperation op_;
  Done done_;
  std::vector<RootEntry> entries_;
  std::size_t index_ = 0;
  std::vector<graphql::GraphQLError> errors_;
  bool data_null_ = false;
};

}  // namespace

void SqlDataSource::execute_mutation(ReadyOperation operation, Done done) {
  auto run =
      std::make_shared<MutationRun>(mapping_, router_, options_, std::move(operation), std::move(done));
  run->start();
}

}  // namespace fraiseql::exec
