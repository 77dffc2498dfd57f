#include "fraiseql/db/lsn.hpp"

#include <charconv>
#include <cstdio>

namespace fraiseql::db {

std::optional<std::uint64_t> parse_lsn(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return std::nullopt;
  auto half = [](std::string_view s) -> std::optional<std::uint32_t> {
    if (s.size() > 8) return std::nullopt;
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  auto hi = half(text.substr(0, slash));
  auto lo = half(text.substr(slash + 1));
  if (!hi || !lo) return std::nullopt;
  return (std::uint64_t{*hi} << 32U) | *lo;
}

std::string format_lsn(std::uint64_t lsn) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32U),
                        static_cast<unsigned>(lsn & 0xFFFFFFFFU));
  return {buf, static_cast<std::size_t>(n)};
}

}  // namespace fraiseql::db
