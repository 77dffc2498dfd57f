// The caller of a request from its Authorization header: anonymous without a token,
// 401 for a bad one, the role and database settings from a good one, and a cache scope
// that separates callers who could see different rows.

#include "fraiseql/exec/authenticator.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace fraiseql::exec {
namespace {

using nlohmann::json;

const std::string kSecret = "another-shared-secret-of-32-bytes-or-more";

std::string token(const json& payload, const std::string& secret = kSecret) {
  auto input =
      auth::base64url_encode(json{{"alg", "HS256"}}.dump()) + "." + auth::base64url_encode(payload.dump());
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + auth::base64url_encode(std::string(reinterpret_cast<char*>(mac), len));
}

json payload(json extra = json::object()) {
  auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  json p = {{"sub", "u1"}, {"exp", now + 600}, {"iat", now}, {"tenant_id", 7}, {"app", {{"role", "editor"}}}};
  p.update(extra);
  return p;
}

AuthenticatorOptions options() {
  AuthenticatorOptions o;
  auto keys = std::make_shared<auth::KeySet>();
  EXPECT_TRUE(keys->add_secret(kSecret).ok());
  o.keys = keys;
  o.role_claim = "app.role";
  o.claim_settings = {{"app.user_id", "sub"}, {"app.tenant_id", "tenant_id"}};
  return o;
}

TEST(Authenticator, NoHeaderIsTheAnonymousRoleWithEmptySettings) {
  Authenticator a(options());
  auto c = a.from_header("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->anonymous);
  EXPECT_EQ(c->role, "anonymous");
  using Settings = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(c->db_settings,
            (Settings{{"request.jwt.claims", ""}, {"app.user_id", ""}, {"app.tenant_id", ""}}));
}

TEST(Authenticator, AnonymousRequestsCanBeRefused) {
  auto o = options();
  o.anonymous_role.clear();
  Authenticator a(o);
  auto c = a.from_header("");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(c.error().message, "this server requires a bearer token");
}

TEST(Authenticator, AValidTokenGivesRoleSubjectAndDatabaseSettings) {
  Authenticator a(options());
  auto c = a.from_header("Bearer " + token(payload()));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->anonymous);
  EXPECT_EQ(c->role, "editor");
  EXPECT_EQ(c->subject, "u1");
  ASSERT_EQ(c->db_settings.size(), 3u);
  EXPECT_EQ(c->db_settings[0].first, "request.jwt.claims");
  EXPECT_EQ(json::parse(c->db_settings[0].second)["tenant_id"], 7);
  EXPECT_EQ(c->db_settings[1], (std::pair<std::string, std::string>{"app.user_id", "u1"}));
  EXPECT_EQ(c->db_settings[2], (std::pair<std::string, std::string>{"app.tenant_id", "7"}));
  // The scheme is case-insensitive; the role falls back when the claim is absent.
  auto plain = a.from_header("bearer " + token(payload({{"app", json::object()}})));
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->role, "authenticated");
}

TEST(Authenticator, BadHeadersAndTokensAre401Errors) {
  Authenticator a(options());
  auto check = [&](const std::string& header, const std::string& message) {
    auto c = a.from_header(header);
    ASSERT_FALSE(c.ok()) << header;
    EXPECT_EQ(c.error().code, ErrorCode::kUnauthenticated) << header;
    EXPECT_EQ(c.error().message, message) << header;
  };
  check("Basic dXNlcjpwYXNz", "the Authorization header must be \"Bearer <token>\"");
  check("Bearer", "the Authorization header must be \"Bearer <token>\"");
  check("Bearer   ", "the Authorization header has no token");
  check("Bearer not.a.token", "malformed token: invalid base64url");
  check("Bearer " + token(payload(), kSecret + "-other"), "the token's signature does not verify");
  check("Bearer " + token(payload({{"app", {{"role", 5}}}})), "the token's role claim is not a string");
}

TEST(Authenticator, ScopesDifferWhenTheRowsCouldDifferAndMatchOtherwise) {
  Authenticator a(options());
  auto scope = [&](const json& p) { return a.from_header("Bearer " + token(p))->scope; };
  auto base = scope(payload());
  EXPECT_EQ(base, scope(payload({{"iat", 1}, {"jti", "other"}})));  // timing and identity only
  EXPECT_NE(base, scope(payload({{"tenant_id", 8}})));
  EXPECT_NE(base, scope(payload({{"sub", "u2"}})));
  EXPECT_NE(base, scope(payload({{"app", {{"role", "admin"}}}})));
  EXPECT_NE(base, scope(payload({{"region", "eu"}})));  // any claim reaches request.jwt.claims
  EXPECT_NE(base, a.from_header("")->scope);
}

TEST(Authenticator, WithoutKeysTokensAreIgnoredNotTrusted) {
  AuthenticatorOptions o;
  Authenticator a(o);
  EXPECT_FALSE(a.enabled());
  auto c = a.from_header("Bearer " + token(payload()));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->anonymous);
  EXPECT_EQ(c->role, "anonymous");
}

TEST(Authenticator, KeysCanBeReplaced) {
  Authenticator a(options());
  auto keys = std::make_shared<auth::KeySet>();
  ASSERT_TRUE(keys->add_secret(kSecret + "-rotated").ok());
  a.set_keys(keys);
  EXPECT_FALSE(a.from_header("Bearer " + token(payload())).ok());
  EXPECT_TRUE(a.from_header("Bearer " + token(payload(), kSecret + "-rotated")).ok());
}

}  // namespace
}  // namespace fraiseql::exec
