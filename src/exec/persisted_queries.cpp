#include "fraiseql/exec/persisted_queries.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

namespace fraiseql::exec {

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{2} * length);
  for (unsigned i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4U];
    out += kHex[digest[i] & 0xFU];
  }
  return out;
}

Result<AllowList> AllowList::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kInvalidArgument, "cannot read allow-list " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse(text.str(), path);
}

Result<AllowList> AllowList::parse(std::string_view manifest, std::string_view name) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, std::string(name) + ": " + why);
  };
  auto doc = nlohmann::json::parse(manifest, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return fail("not a JSON object");
  AllowList list;
  auto add = [&](const std::string& document, const std::string* claimed) -> std::optional<std::string> {
    std::string hash = sha256_hex(document);
    if (claimed != nullptr && *claimed != hash) return "hash " + *claimed + " does not match its document";
    list.documents_.emplace(std::move(hash), document);
    return std::nullopt;
  };
  if (doc.contains("operations")) {
    const auto& ops = doc["operations"];
    if (!ops.is_array()) return fail("\"operations\" must be an array");
    for (const auto& op : ops) {
      if (!op.is_object() || !op.contains("body") || !op["body"].is_string()) {
        return fail("every operation needs a \"body\" string");
      }
      // Apollo's ids are usually the body's SHA-256, but may be any string: keep ours.
      if (auto problem = add(op["body"].get<std::string>(), nullptr)) return fail(*problem);
    }
  } else {
    for (const auto& [hash, document] : doc.items()) {
      if (!document.is_string()) return fail("the value of " + hash + " must be a document string");
      if (auto problem = add(document.get<std::string>(), &hash)) return fail(*problem);
    }
  }
  return list;
}

const std::string* AllowList::find(std::string_view hash) const {
  auto it = documents_.find(std::string(hash));
  return it == documents_.end() ? nullptr : &it->second;
}

void PersistedQueryStore::put(const std::string& hash, const std::string& document) {
  if (max_entries_ == 0) return;
  std::lock_guard lock(mu_);
  if (auto it = index_.find(hash); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.emplace_front(hash, document);
  index_.emplace(hash, lru_.begin());
  while (lru_.size() > max_entries_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

std::optional<std::string> PersistedQueryStore::find(const std::string& hash) {
  std::lock_guard lock(mu_);
  auto it = index_.find(hash);
  if (it == index_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->second;
}

std::size_t PersistedQueryStore::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace fraiseql::exec
