#include "fraiseql/exec/authenticator.hpp"

#include <cctype>

namespace fraiseql::exec {
namespace {

// The value at a dotted path of object keys, or nullptr.
const nlohmann::json* at_path(const nlohmann::json& doc, std::string_view path) {
  const nlohmann::json* cur = &doc;
  while (!path.empty()) {
    auto dot = path.find('.');
    std::string key(path.substr(0, dot));
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return cur;
}

// A claim as set_config text: strings as they are, other scalars as JSON, absent as "".
std::string setting_text(const nlohmann::json* value) {
  if (value == nullptr || value->is_null()) return {};
  if (value->is_string()) return value->get<std::string>();
  return value->dump();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Length-prefixed, so no value can imitate a boundary between two others.
void append_part(std::string& out, std::string_view part) {
  out += std::to_string(part.size());
  out += ':';
  out += part;
}

}  // namespace

Authenticator::Authenticator(AuthenticatorOptions options) : options_(std::move(options)) {
  set_keys(options_.keys);
}

void Authenticator::set_keys(std::shared_ptr<const auth::KeySet> keys) {
  std::shared_ptr<const auth::Verifier> verifier;
  if (keys && keys->size() > 0)
    verifier = std::make_shared<const auth::Verifier>(std::move(keys), options_.verify);
  std::atomic_store(&verifier_, std::move(verifier));
}

bool Authenticator::enabled() const {
  return std::atomic_load(&verifier_) != nullptr;
}

Caller Authenticator::anonymous() const {
  Caller c;
  c.role = options_.anonymous_role;
  c.db_settings.emplace_back("request.jwt.claims", "");
  for (const auto& [setting, claim] : options_.claim_settings) c.db_settings.emplace_back(setting, "");
  append_part(c.scope, c.role);
  return c;
}

Result<Caller> Authenticator::from_header(std::string_view authorization) const {
  if (authorization.empty()) return from_token({});
  auto space = authorization.find(' ');
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "Bearer")) {
    return make_error(ErrorCode::kUnauthenticated, "the Authorization header must be \"Bearer <token>\"");
  }
  auto token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return make_error(ErrorCode::kUnauthenticated, "the Authorization header has no token");
  return from_token(token);
}

Result<Caller> Authenticator::from_token(std::string_view token) const {
  auto verifier = std::atomic_load(&verifier_);
  if (token.empty() || !verifier) {
    // Without keys a token cannot be checked: it is ignored rather than trusted.
    if (options_.anonymous_role.empty()) {
      return make_error(ErrorCode::kUnauthenticated, "this server requires a bearer token");
    }
    return anonymous();
  }
  auto claims = verifier->verify(token);
  if (!claims) return std::move(claims).error();
  Caller c;
  c.anonymous = false;
  c.subject = claims->subject;
  c.expires_at = claims->expires_at;
  const nlohmann::json* role = at_path(claims->payload, options_.role_claim);
  if (role != nullptr && !role->is_null() && !role->is_string()) {
    return make_error(ErrorCode::kUnauthenticated, "the token's role claim is not a string");
  }
  c.role = role != nullptr && role->is_string() ? role->get<std::string>() : options_.default_role;
  c.claims = std::move(claims->payload);
  c.db_settings.emplace_back("request.jwt.claims", c.claims.dump());
  append_part(c.scope, c.role);
  for (const auto& [setting, claim] : options_.claim_settings) {
    auto value = setting_text(at_path(c.claims, claim));
    append_part(c.scope, value);
    c.db_settings.emplace_back(setting, std::move(value));
  }
  if (c.claims.is_object()) {
    nlohmann::json stable = c.claims;  // keys sorted: one text per set of claims
    for (const char* k : {"exp", "iat", "nbf", "jti", "auth_time"}) stable.erase(k);
    append_part(c.scope, stable.dump());
  }
  return c;
}

}  // namespace fraiseql::exec
