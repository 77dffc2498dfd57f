#pragma once
/// Who is calling: the `Authorization: Bearer` JWT (or the WebSocket connection_init
/// payload's token) verified into a role, a subject, and the settings each of the
/// caller's database transactions gets with `set_config(..., true)` so PostgreSQL's
/// row-level security applies (issue 05).

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/auth/jwt.hpp"
#include "fraiseql/core/result.hpp"

namespace fraiseql::exec {

struct AuthenticatorOptions {
  /// Trusted keys; null or empty: authentication is off and every caller is anonymous.
  std::shared_ptr<const auth::KeySet> keys;
  auth::VerifyOptions verify;
  /// The role of requests without a token; empty: such requests are refused (401).
  std::string anonymous_role = "anonymous";
  /// Where the role is in the payload: a dotted path of object keys ("role",
  /// "app_metadata.role"); a token without it gets `default_role`.
  std::string role_claim = "role";
  std::string default_role = "authenticated";
  /// Database settings from claims: {setting, dotted claim path}, e.g.
  /// {"app.user_id", "sub"}, {"app.tenant_id", "tenant_id"}. A claim that is absent
  /// sets the setting to the empty string, so a policy never reads a stale value.
  std::vector<std::pair<std::string, std::string>> claim_settings;
};

/// The verified caller of one request.
struct Caller {
  std::string role;
  std::string subject;    // `sub`, empty for anonymous callers
  nlohmann::json claims;  // the token's payload; null for anonymous callers
  bool anonymous = true;
  std::optional<std::chrono::system_clock::time_point> expires_at;
  /// set_config(name, value, true) for each, in this order, in every transaction of the
  /// request: `request.jwt.claims` (the payload as JSON text, "" when anonymous), then
  /// the configured settings. The connection's database role is not switched.
  std::vector<std::pair<std::string, std::string>> db_settings;
  /// What a cached response may be shared across: the role, the configured settings and
  /// the claims (all of them reach the database through request.jwt.claims) except the
  /// token's timing and identity (exp, iat, nbf, jti, auth_time). Equal scopes see the
  /// same rows.
  std::string scope;
};

/// Thread-safe; keys can be replaced while requests run (SIGHUP reload).
class Authenticator {
 public:
  explicit Authenticator(AuthenticatorOptions options);

  /// From an `Authorization` header value ("" when absent). kUnauthenticated (→ 401)
  /// for a malformed header, another scheme, or a token that does not verify.
  [[nodiscard]] Result<Caller> from_header(std::string_view authorization) const;
  /// From a bare token ("" when none), e.g. connection_init's payload.
  [[nodiscard]] Result<Caller> from_token(std::string_view token) const;

  void set_keys(std::shared_ptr<const auth::KeySet> keys);
  [[nodiscard]] bool enabled() const;

 private:
  [[nodiscard]] Caller anonymous() const;
  AuthenticatorOptions options_;
  std::shared_ptr<const auth::Verifier> verifier_;  // atomic access: replaced on reload
};

}  // namespace fraiseql::exec
