#pragma once
/// Transport-neutral HTTP request and response, so that handlers never see Beast.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fraiseql::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

/// Case-insensitive header lookup; empty when absent.
std::string_view find_header(const Headers& headers, std::string_view name) noexcept;

struct Request {
  std::string method;  // upper case, e.g. "GET"; HEAD is routed as GET with head_only set
  std::string target;  // raw request target, e.g. "/graphql?query=..."
  std::string path;    // target without the query string
  std::string query;   // after '?', undecoded
  Headers headers;
  std::string body;
  std::string remote;      // peer address
  std::string request_id;  // from X-Request-Id, or generated
  bool head_only = false;

  [[nodiscard]] std::string_view header(std::string_view name) const noexcept {
    return find_header(headers, name);
  }
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;  // extra headers; Content-Type/Length, Server, X-Request-Id are added by the server

  /// A JSON error body in the GraphQL error shape: {"errors":[{"message":..,"extensions":{"code":..}}]}.
  static Response json_error(unsigned status, std::string_view message, std::string_view code);
  static Response json(unsigned status, std::string body);
};

/// Decodes %XX and '+' of an application/x-www-form-urlencoded component. False on bad escapes.
bool url_decode(std::string_view in, std::string& out);

/// Value of `key` in a query string; nullopt-like: returns false when absent or malformed.
bool query_param(std::string_view query, std::string_view key, std::string& out);

}  // namespace fraiseql::http
