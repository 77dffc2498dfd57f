#pragma once
/// Read balancing among eligible replicas: fewest requests outstanding first, and
/// round-robin among those that are equal.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <numeric>
#include <vector>

namespace fraiseql::db {

class LeastOutstanding {
 public:
  /// Indices into `outstanding` in the order to try them. Thread-safe.
  std::vector<std::size_t> order(const std::vector<std::size_t>& outstanding) {
    std::vector<std::size_t> idx(outstanding.size());
    if (idx.empty()) return idx;
    // Rotating the start before a stable sort spreads ties over successive calls.
    std::size_t start = next_.fetch_add(1, std::memory_order_relaxed) % idx.size();
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = (start + i) % idx.size();
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t a, std::size_t b) { return outstanding[a] < outstanding[b]; });
    return idx;
  }

 private:
  std::atomic<std::size_t> next_{0};
};

}  // namespace fraiseql::db
