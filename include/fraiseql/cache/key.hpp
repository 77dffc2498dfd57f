#pragma once
/// Cache keys: the caller builds one opaque string from everything that selects a
/// response (document hash, operation name, canonical variables, authorisation scope);
/// Redis sees only its SHA-256, so its keys stay short whatever the variables are.

#include <initializer_list>
#include <string>
#include <string_view>

namespace fraiseql::cache {

/// Joins parts with a length prefix each, so that ("ab","c") and ("a","bc") differ.
std::string make_key(std::initializer_list<std::string_view> parts);

/// Lower-case hex SHA-256 of `key` (64 characters).
std::string hash_key(std::string_view key);

}  // namespace fraiseql::cache
