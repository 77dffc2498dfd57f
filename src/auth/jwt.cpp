#include "fraiseql/auth/jwt.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

namespace fraiseql::auth {
namespace {

// Longer tokens are refused before any decoding: a bearer token is a few hundred bytes.
constexpr std::size_t kMaxTokenBytes = std::size_t{16} * 1024;
constexpr std::size_t kMinSecretBytes = 32;
constexpr std::size_t kEs256SignatureBytes = 64;

Error unauthenticated(std::string message) {
  return make_error(ErrorCode::kUnauthenticated, std::move(message));
}

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

int8_t base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<int8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<int8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<int8_t>(c - '0' + 52);
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// P-256 is the only curve ES256 allows.
bool is_p256(EVP_PKEY* key) {
  std::array<char, 64> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &len) !=
      1) {
    return false;
  }
  return std::string_view(group.data(), len) == "prime256v1";
}

Result<Algorithm> algorithm_of(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < 2048)
        return unauthenticated("RSA keys shorter than 2048 bits are not accepted");
      return Algorithm::kRS256;
    case EVP_PKEY_EC:
      if (!is_p256(key)) return unauthenticated("EC keys must be on P-256 (ES256)");
      return Algorithm::kES256;
    default: return unauthenticated("only RSA and P-256 EC public keys are supported");
  }
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  if (name == "HS256") return Algorithm::kHS256;
  if (name == "RS256") return Algorithm::kRS256;
  if (name == "ES256") return Algorithm::kES256;
  return std::nullopt;
}

Bn bignum(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()),
                      nullptr));
}

// Builds a public key from OSSL parameters ("RSA" n/e, "EC" group/pub).
Pkey from_params(const char* type, OSSL_PARAM_BLD* bld) {
  Pkey out;
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1) {
    out.reset(key);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return out;
}

Pkey rsa_from_jwk(const nlohmann::json& jwk) {
  auto n = base64url_decode(jwk.value("n", ""));
  auto e = base64url_decode(jwk.value("e", ""));
  if (!n || !e || n->empty() || e->empty()) return {};
  Bn bn_n = bignum(*n);
  Bn bn_e = bignum(*e);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bld != nullptr && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1) {
    key = from_params("RSA", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

Pkey ec_from_jwk(const nlohmann::json& jwk) {
  if (jwk.value("crv", "") != "P-256") return {};
  auto x = base64url_decode(jwk.value("x", ""));
  auto y = base64url_decode(jwk.value("y", ""));
  if (!x || !y || x->size() != 32 || y->size() != 32) return {};
  std::string point = "\x04" + *x + *y;  // uncompressed SEC1 point
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  Pkey key;
  if (bld != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0) ==
          1 &&
      OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1) {
    key = from_params("EC", bld);
  }
  OSSL_PARAM_BLD_free(bld);
  return key;
}

// JWS ES256 signatures are r || s, 32 bytes each; OpenSSL verifies DER.
std::optional<std::string> es256_to_der(std::string_view raw) {
  if (raw.size() != kEs256SignatureBytes) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  std::optional<std::string> out;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* der = nullptr;
    int len = i2d_ECDSA_SIG(sig, &der);
    if (len > 0) out.emplace(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return out;
}

bool verify_pkey(EVP_PKEY* key, std::string_view signed_part, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// A NumericDate claim (seconds since the epoch, maybe fractional), if present and valid.
Result<std::optional<double>> numeric_date(const nlohmann::json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return std::optional<double>{};
  if (!it->is_number() || !std::isfinite(it->get<double>())) {
    return unauthenticated(std::string("the token's \"") + name + "\" claim is not a number");
  }
  return std::optional<double>{it->get<double>()};
}

}  // namespace

std::string_view to_string(Algorithm alg) noexcept {
  switch (alg) {
    case Algorithm::kHS256: return "HS256";
    case Algorithm::kRS256: return "RS256";
    case Algorithm::kES256: return "ES256";
  }
  return "?";
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    auto v = (static_cast<unsigned char>(bytes[i]) << 16U) |
             (static_cast<unsigned char>(bytes[i + 1]) << 8U) | static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
    out += kAlphabet[v & 63U];
  }
  if (i + 1 == bytes.size()) {
    auto v = static_cast<unsigned char>(bytes[i]) << 16U;
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
  } else if (i + 2 == bytes.size()) {
    auto v = (static_cast<unsigned char>(bytes[i]) << 16U) | (static_cast<unsigned char>(bytes[i + 1]) << 8U);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int8_t v = base64url_value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6U) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> static_cast<unsigned>(bits)) & 0xFFU);
    }
  }
  // Leftover bits must be zero: one encoding per byte string.
  if ((acc & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) return std::nullopt;
  return out;
}

struct KeySet::Key {
  Algorithm alg = Algorithm::kHS256;
  std::string kid;
  std::string secret;  // HS256
  Pkey pkey;           // RS256, ES256
};

KeySet::KeySet() = default;
KeySet::~KeySet() = default;
KeySet::KeySet(KeySet&&) noexcept = default;
KeySet& KeySet::operator=(KeySet&&) noexcept = default;

std::size_t KeySet::size() const noexcept {
  return keys_.size();
}

Result<void> KeySet::add_secret(std::string_view secret, std::string kid) {
  if (secret.size() < kMinSecretBytes) {
    return make_error(ErrorCode::kInvalidArgument, "an HS256 secret must be at least 32 bytes long");
  }
  auto key = std::make_unique<Key>();
  key->alg = Algorithm::kHS256;
  key->kid = std::move(kid);
  key->secret = std::string(secret);
  keys_.push_back(std::move(key));
  return {};
}

Result<void> KeySet::add_pem(std::string_view pem, std::string kid) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Pkey pkey(bio != nullptr ? PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr) : nullptr);
  BIO_free(bio);
  if (!pkey)
    return make_error(ErrorCode::kInvalidArgument, "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  auto alg = algorithm_of(pkey.get());
  if (!alg) return make_error(ErrorCode::kInvalidArgument, alg.error().message);
  auto key = std::make_unique<Key>();
  key->alg = *alg;
  key->kid = std::move(kid);
  key->pkey = std::move(pkey);
  keys_.push_back(std::move(key));
  return {};
}

Result<void> KeySet::add_jwks(std::string_view json) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return make_error(ErrorCode::kInvalidArgument, "not a JWKS document (an object with a \"keys\" array)");
  }
  std::size_t index = 0;
  for (const auto& jwk : doc["keys"]) {
    auto where = "keys[" + std::to_string(index++) + "]";
    if (!jwk.is_object() || !jwk.contains("kty") || !jwk["kty"].is_string()) {
      return make_error(ErrorCode::kInvalidArgument, where + ": not a JWK (no \"kty\")");
    }
    if (jwk.contains("use") && jwk["use"] != "sig") continue;  // an encryption key
    std::string kid = jwk.contains("kid") && jwk["kid"].is_string() ? jwk["kid"].get<std::string>() : "";
    const std::string kty = jwk["kty"];
    auto key = std::make_unique<Key>();
    key->kid = kid;
    if (kty == "oct") {
      auto secret = base64url_decode(jwk.value("k", ""));
      if (!secret || secret->size() < kMinSecretBytes) {
        return make_error(ErrorCode::kInvalidArgument,
                          where + ": an oct key needs \"k\" of at least 32 bytes");
      }
      key->alg = Algorithm::kHS256;
      key->secret = std::move(*secret);
    } else if (kty == "RSA" || kty == "EC") {
      key->pkey = kty == "RSA" ? rsa_from_jwk(jwk) : ec_from_jwk(jwk);
      if (!key->pkey) {
        return make_error(ErrorCode::kInvalidArgument,
                          where + (kty == "RSA" ? ": an RSA key needs base64url \"n\" and \"e\""
                                                : ": an EC key needs crv P-256 and 32-byte \"x\" and \"y\""));
      }
      auto alg = algorithm_of(key->pkey.get());
      if (!alg) return make_error(ErrorCode::kInvalidArgument, where + ": " + alg.error().message);
      key->alg = *alg;
    } else {
      continue;  // a key type we do not verify with (e.g. OKP)
    }
    if (jwk.contains("alg") && jwk["alg"] != to_string(key->alg)) continue;
    keys_.push_back(std::move(key));
  }
  return {};
}

Verifier::Verifier(std::shared_ptr<const KeySet> keys, VerifyOptions options)
    : keys_(std::move(keys)), options_(std::move(options)) {}

Result<Claims> Verifier::verify(std::string_view token, std::chrono::system_clock::time_point now) const {
  if (token.size() > kMaxTokenBytes) return unauthenticated("the token is too long");
  auto dot1 = token.find('.');
  auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return unauthenticated("malformed token: expected header.payload.signature");
  }
  auto header_text = base64url_decode(token.substr(0, dot1));
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = base64url_decode(token.substr(dot2 + 1));
  if (!header_text || !payload_text || !signature)
    return unauthenticated("malformed token: invalid base64url");
  auto header = nlohmann::json::parse(*header_text, nullptr, false);
  if (header.is_discarded() || !header.is_object() || !header.contains("alg") || !header["alg"].is_string()) {
    return unauthenticated("malformed token: the header is not a JSON object with \"alg\"");
  }
  if (header.contains("crit"))
    return unauthenticated("the token has critical header parameters we do not support");
  const std::string alg_name = header["alg"];
  auto alg = parse_algorithm(alg_name);
  if (!alg ||
      std::find(options_.algorithms.begin(), options_.algorithms.end(), *alg) == options_.algorithms.end()) {
    return unauthenticated("the token's algorithm \"" + alg_name + "\" is not accepted");
  }
  std::string kid =
      header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";

  const std::string_view signed_part = token.substr(0, dot2);
  std::optional<std::string> der;
  if (*alg == Algorithm::kES256) {
    der = es256_to_der(*signature);
    if (!der) return unauthenticated("the token's signature does not verify");
  }
  bool any_key = false;
  bool verified = false;
  for (const auto& key : keys_->keys_) {
    if (key->alg != *alg || (!kid.empty() && !key->kid.empty() && key->kid != kid)) continue;
    any_key = true;
    if (*alg == Algorithm::kHS256) {
      std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
      unsigned int mac_len = 0;
      HMAC(EVP_sha256(), key->secret.data(), static_cast<int>(key->secret.size()),
           reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac.data(),
           &mac_len);
      verified = signature->size() == mac_len && CRYPTO_memcmp(mac.data(), signature->data(), mac_len) == 0;
    } else {
      verified = verify_pkey(key->pkey.get(), signed_part, der ? std::string_view(*der) : *signature);
    }
    if (verified) break;
  }
  if (!any_key)
    return unauthenticated("no key to verify a " + alg_name + " token" +
                           (kid.empty() ? "" : " with kid " + kid));
  if (!verified) return unauthenticated("the token's signature does not verify");

  Claims claims;
  claims.payload = nlohmann::json::parse(*payload_text, nullptr, false);
  if (claims.payload.is_discarded() || !claims.payload.is_object()) {
    return unauthenticated("malformed token: the payload is not a JSON object");
  }
  const double t = std::chrono::duration<double>(now.time_since_epoch()).count();
  const auto leeway = static_cast<double>(options_.leeway.count());
  auto exp = numeric_date(claims.payload, "exp");
  if (!exp) return std::move(exp).error();
  if (!*exp && options_.require_exp) return unauthenticated("the token has no \"exp\" claim");
  if (*exp) {
    if (t >= **exp + leeway) return unauthenticated("the token has expired");
    claims.expires_at =
        std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(**exp)));
  }
  auto nbf = numeric_date(claims.payload, "nbf");
  if (!nbf) return std::move(nbf).error();
  if (*nbf && t + leeway < **nbf) return unauthenticated("the token is not valid yet");
  if (!options_.issuer.empty()) {
    auto iss = claims.payload.find("iss");
    if (iss == claims.payload.end() || !iss->is_string() || *iss != options_.issuer) {
      return unauthenticated("the token's issuer is not accepted");
    }
  }
  if (!options_.audiences.empty()) {
    bool match = false;
    auto aud = claims.payload.find("aud");
    auto accepted = [&](const nlohmann::json& a) {
      return a.is_string() && std::find(options_.audiences.begin(), options_.audiences.end(),
                                        a.get<std::string>()) != options_.audiences.end();
    };
    if (aud != claims.payload.end()) {
      if (aud->is_array()) {
        match = std::any_of(aud->begin(), aud->end(), accepted);
      } else {
        match = accepted(*aud);
      }
    }
    if (!match) return unauthenticated("the token's audience is not accepted");
  }
  if (auto sub = claims.payload.find("sub"); sub != claims.payload.end() && sub->is_string()) {
    claims.subject = sub->get<std::string>();
  }
  return claims;
}

}  // namespace fraiseql::auth
