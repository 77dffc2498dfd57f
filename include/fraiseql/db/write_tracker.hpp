#pragma once
/// Read-your-writes by identity: remembers, per auth subject, the WAL position of the
/// subject's latest write for a window, so that the subject's reads in that window go
/// only where that position has been replayed (docs/adr/0004-db-execution.md).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace fraiseql::db {

class WriteTracker {
 public:
  using clock = std::chrono::steady_clock;

  explicit WriteTracker(std::chrono::milliseconds window) : window_(window) {}

  /// A write by `subject` that ends at `lsn`; the window restarts. Thread-safe.
  void record(const std::string& subject, std::uint64_t lsn, clock::time_point now = clock::now());

  /// The position a read by `subject` must see, or 0 when no write of theirs is in the window.
  [[nodiscard]] std::uint64_t required(const std::string& subject,
                                       clock::time_point now = clock::now()) const;

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] std::chrono::milliseconds window() const noexcept { return window_; }

 private:
  struct Entry {
    std::uint64_t lsn = 0;
    clock::time_point until;
  };
  void prune_locked(clock::time_point now);

  std::chrono::milliseconds window_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::size_t prune_at_ = 1024;  // entries before the next sweep of expired ones
};

}  // namespace fraiseql::db
