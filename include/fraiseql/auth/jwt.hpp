#pragma once
/// JSON Web Tokens (RFC 7519) signed with HS256, RS256 or ES256: the keys a deployment
/// trusts and the verification of a bearer token against them. Pure computation, no I/O:
/// reading key files is the caller's.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fraiseql/core/result.hpp"

namespace fraiseql::auth {

enum class Algorithm { kHS256, kRS256, kES256 };

std::string_view to_string(Algorithm alg) noexcept;

/// The keys tokens may be signed with. Each key serves exactly one algorithm, so a token
/// can never be checked with a key of another kind (no algorithm confusion: an RS256
/// public key is never used as an HS256 secret).
class KeySet {
 public:
  KeySet();
  ~KeySet();
  KeySet(KeySet&&) noexcept;
  KeySet& operator=(KeySet&&) noexcept;
  KeySet(const KeySet&) = delete;
  KeySet& operator=(const KeySet&) = delete;

  /// An HS256 shared secret (at least 32 bytes, as RFC 7518 §3.2 asks).
  Result<void> add_secret(std::string_view secret, std::string kid = {});
  /// An RSA (RS256) or P-256 EC (ES256) public key in PEM (SubjectPublicKeyInfo).
  Result<void> add_pem(std::string_view pem, std::string kid = {});
  /// Every RSA and P-256 EC key of a JWKS document (RFC 7517); `oct` keys become HS256
  /// secrets. Keys marked for another use (`use` other than `sig`) or algorithm are skipped.
  Result<void> add_jwks(std::string_view json);

  [[nodiscard]] std::size_t size() const noexcept;

 private:
  friend class Verifier;
  struct Key;
  std::vector<std::unique_ptr<Key>> keys_;
};

struct VerifyOptions {
  std::vector<Algorithm> algorithms{Algorithm::kHS256, Algorithm::kRS256, Algorithm::kES256};
  std::string issuer;                  // empty: not checked
  std::vector<std::string> audiences;  // empty: not checked; else `aud` must name one
  std::chrono::seconds leeway{30};     // for exp, nbf and iat against clock skew
  bool require_exp = true;
};

/// A verified token's payload.
struct Claims {
  nlohmann::json payload;  // an object
  std::string subject;     // `sub`, empty when absent
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

/// Thread-safe once built. Errors are kUnauthenticated, with a message safe to show.
class Verifier {
 public:
  Verifier(std::shared_ptr<const KeySet> keys, VerifyOptions options);

  [[nodiscard]] Result<Claims> verify(std::string_view token, std::chrono::system_clock::time_point now =
                                                                  std::chrono::system_clock::now()) const;

 private:
  std::shared_ptr<const KeySet> keys_;
  VerifyOptions options_;
};

/// base64url without padding (RFC 7515 §2), as JWTs use; exposed for tests and tools.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace fraiseql::auth
