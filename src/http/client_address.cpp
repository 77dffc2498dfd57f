#include "fraiseql/http/client_address.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <optional>

namespace fraiseql::http {
namespace {

using Bytes = std::array<std::uint8_t, 16>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An address as 16 bytes (IPv4 mapped into IPv6). Accepts "[v6]" and "v4:port".
std::optional<Bytes> parse_address(std::string_view text) {
  text = trim(text);
  if (text.size() > 2 && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    text = text.substr(0, text.find(':'));  // v4 with a port
  }
  std::string s(text);
  Bytes out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&v4), 4, out.begin() + 12);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&v6), 16, out.begin());
    return out;
  }
  return std::nullopt;
}

bool is_v4_mapped(const Bytes& b) {
  return std::all_of(b.begin(), b.begin() + 10, [](std::uint8_t x) { return x == 0; }) && b[10] == 0xff &&
         b[11] == 0xff;
}

std::string to_text(const Bytes& b) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(b)) {
    inet_ntop(AF_INET, b.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
  }
  return buf;
}

}  // namespace

Result<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& blocks) {
  TrustedProxies out;
  for (const auto& text : blocks) {
    std::string_view t = trim(text);
    auto slash = t.find('/');
    auto address = parse_address(t.substr(0, slash));
    if (!address) return make_error(ErrorCode::kInvalidArgument, "not an IP address or CIDR block: " + text);
    Block block;
    block.bytes = *address;
    const bool v4 = is_v4_mapped(*address);
    block.prefix = 128;
    if (slash != std::string_view::npos) {
      auto bits = t.substr(slash + 1);
      unsigned n = 0;
      if (bits.empty() || bits.size() > 3 ||
          !std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return make_error(ErrorCode::kInvalidArgument, "bad prefix length in " + text);
      }
      for (char c : bits) n = n * 10 + static_cast<unsigned>(c - '0');
      if (n > (v4 ? 32U : 128U)) return make_error(ErrorCode::kInvalidArgument, "prefix too long in " + text);
      block.prefix = v4 ? n + 96 : n;
    }
    out.blocks_.push_back(block);
  }
  return out;
}

bool TrustedProxies::contains(std::string_view address) const {
  auto a = parse_address(address);
  if (!a) return false;
  for (const auto& block : blocks_) {
    unsigned full = block.prefix / 8;
    unsigned rest = block.prefix % 8;
    if (!std::equal(a->begin(), a->begin() + full, block.bytes.begin())) continue;
    if (rest != 0) {
      auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      if (((*a)[full] & mask) != (block.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string client_address(std::string_view peer, std::string_view forwarded_for,
                           const TrustedProxies& trusted) {
  auto peer_bytes = parse_address(peer);
  std::string client = peer_bytes ? to_text(*peer_bytes) : std::string(peer);
  if (forwarded_for.empty() || !trusted.contains(peer)) return client;
  // Right to left: each hop appended the address it saw; stop at the first we do not trust.
  while (!forwarded_for.empty()) {
    auto comma = forwarded_for.rfind(',');
    std::string_view hop =
        trim(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    auto bytes = parse_address(hop);
    if (!bytes) return client;  // garbage: keep the last address we could trust
    client = to_text(*bytes);
    if (!trusted.contains(hop)) return client;
  }
  return client;
}

}  // namespace fraiseql::http
