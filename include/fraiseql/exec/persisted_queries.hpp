#pragma once
/// Persisted queries: Apollo's automatic protocol (a client sends the SHA-256 of its
/// document; the document only when the server asks for it) and an allow-list mode in
/// which only the documents of a manifest run.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fraiseql/core/result.hpp"

namespace fraiseql::exec {

/// Lower-case hex SHA-256 of `text`.
std::string sha256_hex(std::string_view text);

/// The documents an allow-list permits, by the SHA-256 of their text.
class AllowList {
 public:
  /// Reads a manifest: Apollo's persisted-query manifest
  /// (`{"format":"apollo-persisted-query-manifest","operations":[{"body":...},...]}`) or a
  /// JSON object mapping SHA-256 hashes to documents. A hash that does not match its
  /// document is an error naming it.
  static Result<AllowList> load(const std::string& path);
  /// Same, from the manifest's text.
  static Result<AllowList> parse(std::string_view manifest, std::string_view name = "allow-list");

  /// The document of `hash`, or nullptr.
  [[nodiscard]] const std::string* find(std::string_view hash) const;
  [[nodiscard]] std::size_t size() const noexcept { return documents_.size(); }

 private:
  std::unordered_map<std::string, std::string> documents_;
};

/// Documents registered by clients through the automatic protocol, least recently used
/// dropped first. Thread-safe.
class PersistedQueryStore {
 public:
  explicit PersistedQueryStore(std::size_t max_entries) : max_entries_(max_entries) {}
  void put(const std::string& hash, const std::string& document);
  [[nodiscard]] std::optional<std::string> find(const std::string& hash);
  [[nodiscard]] std::size_t size() const;

 private:
  using List = std::list<std::pair<std::string, std::string>>;
  mutable std::mutex mu_;
  std::size_t max_entries_;
  List lru_;
  std::unordered_map<std::string, List::iterator> index_;
};

}  // namespace fraiseql::exec
