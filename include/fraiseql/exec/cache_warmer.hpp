#pragma once
/// Cache warming: configured operations run through the engine at start-up and then
/// every interval, so that the response cache holds their answers before clients ask.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fraiseql/core/result.hpp"
#include "fraiseql/exec/engine.hpp"

namespace fraiseql::exec {

/// Reads one warm operation: a JSON object in the shape of a POST /graphql body,
/// `{"query": "...", "operationName": "...", "variables": {...}}` (the last two optional).
/// The error says what is wrong with it.
Result<OperationRequest> parse_warm_operation(std::string_view json_text);

struct CacheWarmerOptions {
  std::chrono::milliseconds interval{300'000};
  /// After a round with a failure, the next round comes this soon.
  std::chrono::milliseconds retry{60'000};
  /// Longest wait for one operation's answer.
  std::chrono::milliseconds deadline{60'000};
};

/// Runs the operations on its own thread, one after another, as anonymous requests.
class CacheWarmer {
 public:
  /// `engine` must outlive this.
  CacheWarmer(Engine& engine, std::vector<OperationRequest> operations, CacheWarmerOptions options = {});
  ~CacheWarmer();
  CacheWarmer(const CacheWarmer&) = delete;
  CacheWarmer& operator=(const CacheWarmer&) = delete;

  /// The first round starts at once.
  void start();
  /// Stops after the operation in progress; safe to repeat.
  void stop();

  /// Rounds finished so far, and those in which every operation succeeded.
  [[nodiscard]] std::uint64_t rounds() const;
  [[nodiscard]] std::uint64_t good_rounds() const;

 private:
  void run();
  // True when every operation ran and got data.
  bool round();

  Engine& engine_;
  std::vector<OperationRequest> operations_;
  CacheWarmerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::uint64_t rounds_ = 0;
  std::uint64_t good_rounds_ = 0;
  std::vector<bool> warned_uncached_;
  std::thread thread_;
};

}  // namespace fraiseql::exec
