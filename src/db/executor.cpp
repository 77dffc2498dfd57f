#include "executor.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace fraiseql::db {
namespace {

// A completion that throws must not take a db thread down with it.
template <typename F>
void guarded(const std::string& name, F&& f) {
  try {
    f();
  } catch (const std::exception& ex) {
    spdlog::error("db executor {}: job threw: {}", name, ex.what());
  } catch (...) {
    spdlog::error("db executor {}: job threw a non-exception", name);
  }
}

}  // namespace

Executor::Executor(std::string name, std::size_t threads) : name_(std::move(name)) {
  threads = std::max<std::size_t>(1, threads);
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
  reaper_ = std::thread([this] { reap(); });
}

Executor::~Executor() {
  stop();
}

bool Executor::submit(time_point start_by, std::function<void()> run, Expire expire) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return false;
    queue_.push_back({start_by, std::move(run), std::move(expire)});
  }
  work_cv_.notify_one();
  reap_cv_.notify_one();
  return true;
}

std::size_t Executor::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void Executor::stop() {
  std::deque<Job> left;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    left.swap(queue_);
  }
  work_cv_.notify_all();
  reap_cv_.notify_all();
  for (auto& job : left) guarded(name_, [&] { job.expire(true); });
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  if (reaper_.joinable()) reaper_.join();
  std::lock_guard lock(mu_);
  threads_.clear();
}

void Executor::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    if (std::chrono::steady_clock::now() >= job.start_by) {
      guarded(name_, [&] { job.expire(false); });
    } else {
      guarded(name_, [&] { job.run(); });
    }
  }
}

void Executor::reap() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (stopping_) return;
    if (queue_.empty()) {
      reap_cv_.wait(lock);
      continue;
    }
    auto earliest = std::min_element(queue_.begin(), queue_.end(), [](const Job& a, const Job& b) {
                      return a.start_by < b.start_by;
                    })->start_by;
    if (reap_cv_.wait_until(lock, earliest) == std::cv_status::no_timeout) continue;
    auto now = std::chrono::steady_clock::now();
    std::vector<Job> expired;
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->start_by <= now) {
        expired.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
    lock.unlock();
    for (auto& job : expired) guarded(name_, [&] { job.expire(false); });
    lock.lock();
  }
}

}  // namespace fraiseql::db
