#include "fraiseql/cache/key.hpp"

#include <array>

#include <openssl/sha.h>

namespace fraiseql::cache {

std::string make_key(std::initializer_list<std::string_view> parts) {
  std::string out;
  std::size_t n = 0;
  for (auto p : parts) n += p.size() + 8;
  out.reserve(n);
  for (auto p : parts) {
    out += std::to_string(p.size());
    out += ':';
    out += p;
  }
  return out;
}

std::string hash_key(std::string_view key) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest.data());
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (unsigned char b : digest) {
    out += kHex[b >> 4U];
    out += kHex[b & 0xFU];
  }
  return out;
}

}  // namespace fraiseql::cache
