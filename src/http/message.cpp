#include "fraiseql/http/message.hpp"

#include <strings.h>

#include "fraiseql/log/log.hpp"

namespace fraiseql::http {

std::string_view find_header(const Headers& headers, std::string_view name) noexcept {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  }
  return {};
}

Response Response::json_error(unsigned status, std::string_view message, std::string_view code) {
  std::string body = R"({"errors":[{"message":")";
  log::append_json_escaped(body, message);
  body += R"(","extensions":{"code":")";
  log::append_json_escaped(body, code);
  body += R"("}}]})";
  return json(status, std::move(body));
}

Response Response::json(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

bool url_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

bool query_param(std::string_view query, std::string_view key, std::string& out) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view k = pair.substr(0, eq);
    std::string decoded_key;
    if (!url_decode(k, decoded_key) || decoded_key != key) continue;
    std::string_view v = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    return url_decode(v, out);
  }
  return false;
}

}  // namespace fraiseql::http
