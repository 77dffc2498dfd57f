#include "fraiseql/core/request_id.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace fraiseql {

std::string generate_request_id() {
  // One generator per thread: ids are for correlation, not security.
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string out(32, '0');
  for (std::size_t half = 0; half < 2; ++half) {
    std::uint64_t bits = rng();
    for (std::size_t i = 0; i < 16; ++i) {
      out[half * 16 + i] = kHex[bits & 0xFU];
      bits >>= 4U;
    }
  }
  return out;
}

bool is_acceptable_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

}  // namespace fraiseql
