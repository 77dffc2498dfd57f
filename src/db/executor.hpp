#pragma once
// The blocking side of the db module: a few threads per host that run libpqxx calls,
// so that no I/O thread ever waits on the database. A job that cannot start before its
// deadline (all threads busy, i.e. the pool is exhausted) is expired by a reaper thread
// at that deadline instead of waiting behind long queries.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fraiseql::db {

class Executor {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  /// Called instead of run: true when the executor is stopping, false when the job's
  /// start deadline passed.
  using Expire = std::function<void(bool stopping)>;

  Executor(std::string name, std::size_t threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  /// False (and nothing runs) once stopping.
  bool submit(time_point start_by, std::function<void()> run, Expire expire);
  /// Expires queued jobs, waits for running ones, joins the threads.
  void stop();
  [[nodiscard]] std::size_t queued() const;

 private:
  struct Job {
    time_point start_by;
    std::function<void()> run;
    Expire expire;
  };
  void work();
  void reap();

  std::string name_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable reap_cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::thread reaper_;
};

}  // namespace fraiseql::db
