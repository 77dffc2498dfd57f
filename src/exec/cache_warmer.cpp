#include "fraiseql/exec/cache_warmer.hpp"

#include <memory>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace fraiseql::exec {

using nlohmann::json;

Result<OperationRequest> parse_warm_operation(std::string_view json_text) {
  json body = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return make_error(ErrorCode::kInvalidArgument,
                      R"(expected a JSON object like {"query": "...", "variables": {...}})");
  }
  OperationRequest request;
  auto query = body.find("query");
  if (query == body.end() || !query->is_string() || query->get_ref<const std::string&>().empty()) {
    return make_error(ErrorCode::kInvalidArgument, "\"query\" must be a non-empty string");
  }
  request.query = query->get<std::string>();
  if (auto name = body.find("operationName"); name != body.end() && !name->is_null()) {
    if (!name->is_string())
      return make_error(ErrorCode::kInvalidArgument, "\"operationName\" must be a string");
    request.operation_name = name->get<std::string>();
  }
  if (auto vars = body.find("variables"); vars != body.end() && !vars->is_null()) {
    if (!vars->is_object()) return make_error(ErrorCode::kInvalidArgument, "\"variables\" must be an object");
    request.variables = *vars;
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "query" && key != "operationName" && key != "variables") {
      return make_error(ErrorCode::kInvalidArgument, "unknown member \"" + key + "\"");
    }
  }
  return request;
}

CacheWarmer::CacheWarmer(Engine& engine, std::vector<OperationRequest> operations, CacheWarmerOptions options)
    : engine_(engine),
      operations_(std::move(operations)),
      options_(options),
      warned_uncached_(operations_.size(), false) {}

CacheWarmer::~CacheWarmer() {
  stop();
}

void CacheWarmer::start() {
  if (thread_.joinable() || operations_.empty()) return;
  thread_ = std::thread([this] { run(); });
}

void CacheWarmer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t CacheWarmer::rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

std::uint64_t CacheWarmer::good_rounds() const {
  std::lock_guard lock(mu_);
  return good_rounds_;
}

void CacheWarmer::run() {
  for (;;) {
    const bool good = round();
    std::unique_lock lock(mu_);
    ++rounds_;
    if (good) ++good_rounds_;
    if (cv_.wait_for(lock, good ? options_.interval : options_.retry, [this] { return stopping_; })) return;
  }
}

bool CacheWarmer::round() {
  std::size_t cached = 0;
  bool good = true;
  for (std::size_t i = 0; i < operations_.size(); ++i) {
    struct Answer {
      std::mutex mu;
      std::condition_variable cv;
      std::optional<OperationResponse> response;
    };
    auto answer = std::make_shared<Answer>();
    OperationRequest request = operations_[i];
    request.request_id = "cache-warm-" + std::to_string(i + 1);
    engine_.execute(std::move(request), [answer](OperationResponse r) {
      std::lock_guard lock(answer->mu);
      answer->response = std::move(r);
      answer->cv.notify_all();
    });
    std::optional<OperationResponse> response;
    {
      std::unique_lock lock(answer->mu);
      answer->cv.wait_for(lock, options_.deadline, [&] { return answer->response.has_value(); });
      response = std::move(answer->response);
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
    }
    const std::string& name =
        operations_[i].operation_name.empty() ? operations_[i].query : operations_[i].operation_name;
    if (!response) {
      spdlog::warn("cache warming: operation {} ({}) did not answer in time; retrying in {} s", i + 1, name,
                   options_.retry.count() / 1000);
      good = false;
    } else if (response->outcome != Outcome::kExecuted) {
      spdlog::warn("cache warming: operation {} ({}) failed: {}; retrying in {} s", i + 1, name,
                   response->body, options_.retry.count() / 1000);
      good = false;
    } else if (response->cache == CacheStatus::kNone) {
      if (!warned_uncached_[i]) {
        // Not a failure: the schema says not to keep it; warming it again changes nothing.
        spdlog::warn(
            "cache warming: operation {} ({}) is not cacheable (no @cached and cache.cache_all_queries "
            "off, or not a query)",
            i + 1, name);
        warned_uncached_[i] = true;
      }
    } else {
      ++cached;
    }
  }
  spdlog::info("cache warming: {} of {} operation(s) cached", cached, operations_.size());
  return good;
}

}  // namespace fraiseql::exec
