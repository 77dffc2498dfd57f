// JWT verification: tokens signed here with keys generated per run (HS256, RS256,
// ES256), then each way a token can be wrong, with the error it gets.

#include "fraiseql/auth/jwt.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

namespace fraiseql::auth {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

const std::string kSecret = "a-shared-secret-of-at-least-32-bytes!!";

struct Keypair {
  EVP_PKEY* key = nullptr;
  explicit Keypair(const char* type, int bits_or_zero) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY_keygen_init(ctx);
    if (bits_or_zero != 0) {
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits_or_zero);
    } else {
      EVP_PKEY_CTX_set_group_name(ctx, "prime256v1");
    }
    EVP_PKEY_generate(ctx, &key);
    EVP_PKEY_CTX_free(ctx);
  }
  ~Keypair() { EVP_PKEY_free(key); }
  Keypair(const Keypair&) = delete;
  Keypair& operator=(const Keypair&) = delete;

  [[nodiscard]] std::string public_pem() const {
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, key);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(len));
    BIO_free(bio);
    return out;
  }

  [[nodiscard]] std::string bn_param(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(key, name, &bn);
    std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
    BN_free(bn);
    return out;
  }

  // ES256: the raw r || s of the DER signature.
  [[nodiscard]] std::string sign(std::string_view data, bool ec) const {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key);
    std::size_t len = 0;
    EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    std::string sig(len, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                   reinterpret_cast<const unsigned char*>(data.data()), data.size());
    sig.resize(len);
    EVP_MD_CTX_free(ctx);
    if (!ec) return sig;
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* s = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(s), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(s);
    return raw;
  }
};

std::string hmac(std::string_view secret, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return {reinterpret_cast<char*>(mac), len};
}

std::string signing_input(const json& header, const json& payload) {
  return base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
}

std::string hs256(const json& payload, const json& header = {{"alg", "HS256"}, {"typ", "JWT"}},
                  const std::string& secret = kSecret) {
  auto input = signing_input(header, payload);
  return input + "." + base64url_encode(hmac(secret, input));
}

std::string pk_token(const Keypair& k, bool ec, const json& payload, json header = {}) {
  if (header.is_null()) header = {{"alg", ec ? "ES256" : "RS256"}};
  auto input = signing_input(header, payload);
  return input + "." + base64url_encode(k.sign(input, ec));
}

json claims(std::int64_t exp_in = 600) {
  auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  return {{"sub", "user-42"},
          {"role", "editor"},
          {"exp", now + exp_in},
          {"iss", "https://issuer.test"},
          {"aud", "fraiseql"}};
}

std::shared_ptr<KeySet> secret_keys() {
  auto keys = std::make_shared<KeySet>();
  EXPECT_TRUE(keys->add_secret(kSecret).ok());
  return keys;
}

std::string error_of(const Result<Claims>& r) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "(verified)";
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  return r.error().message;
}

TEST(Base64Url, RoundTripsAndRejectsNonCanonicalText) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar",
                                                       std::string("\0\xff\xfe", 3)}) {
    auto enc = base64url_encode(s);
    EXPECT_EQ(enc.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(enc), s);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("Zm9v+"));  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9v="));  // padding
  EXPECT_FALSE(base64url_decode("Z"));      // impossible length
  EXPECT_FALSE(base64url_decode("Zh"));     // non-zero leftover bits
}

TEST(JwtVerifier, AcceptsAValidHs256TokenAndReturnsItsClaims) {
  Verifier v(secret_keys(), {.issuer = "https://issuer.test", .audiences = {"other", "fraiseql"}});
  auto r = v.verify(hs256(claims()));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->subject, "user-42");
  EXPECT_EQ(r->payload["role"], "editor");
  ASSERT_TRUE(r->expires_at.has_value());
  EXPECT_GT(*r->expires_at, Clock::now());
}

TEST(JwtVerifier, AcceptsRs256AndEs256FromPemKeys) {
  Keypair rsa("RSA", 2048);
  Keypair ec("EC", 0);
  auto keys = std::make_shared<KeySet>();
  ASSERT_TRUE(keys->add_pem(rsa.public_pem()).ok());
  ASSERT_TRUE(keys->add_pem(ec.public_pem()).ok());
  Verifier v(keys, {});
  auto r1 = v.verify(pk_token(rsa, false, claims()));
  EXPECT_TRUE(r1.ok()) << r1.error().message;
  auto r2 = v.verify(pk_token(ec, true, claims()));
  EXPECT_TRUE(r2.ok()) << r2.error().message;
  // Signed by another key of the same kind: refused.
  Keypair stranger("EC", 0);
  EXPECT_EQ(error_of(v.verify(pk_token(stranger, true, claims()))), "the token's signature does not verify");
}

TEST(JwtVerifier, AcceptsKeysFromAJwksDocumentAndPicksThemByKid) {
  Keypair rsa("RSA", 2048);
  Keypair ec("EC", 0);
  json jwks = {{"keys",
                {{{"kty", "RSA"},
                  {"kid", "r1"},
                  {"use", "sig"},
                  {"alg", "RS256"},
                  {"n", base64url_encode(rsa.bn_param(OSSL_PKEY_PARAM_RSA_N))},
                  {"e", base64url_encode(rsa.bn_param(OSSL_PKEY_PARAM_RSA_E))}},
                 {{"kty", "EC"},
                  {"kid", "e1"},
                  {"crv", "P-256"},
                  {"x", base64url_encode(ec.bn_param(OSSL_PKEY_PARAM_EC_PUB_X))},
                  {"y", base64url_encode(ec.bn_param(OSSL_PKEY_PARAM_EC_PUB_Y))}},
                 {{"kty", "oct"}, {"kid", "h1"}, {"k", base64url_encode(kSecret)}},
                 {{"kty", "RSA"}, {"kid", "enc"}, {"use", "enc"}, {"n", "AQAB"}, {"e", "AQAB"}},
                 {{"kty", "OKP"}, {"kid", "ed"}, {"crv", "Ed25519"}, {"x", "AA"}}}}};
  KeySet set;
  auto added = set.add_jwks(jwks.dump());
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(set.size(), 3u);  // the encryption key and the OKP key are skipped
  Verifier v(std::make_shared<KeySet>(std::move(set)), {});
  EXPECT_TRUE(v.verify(pk_token(rsa, false, claims(), {{"alg", "RS256"}, {"kid", "r1"}})).ok());
  EXPECT_TRUE(v.verify(pk_token(ec, true, claims(), {{"alg", "ES256"}, {"kid", "e1"}})).ok());
  EXPECT_TRUE(v.verify(hs256(claims(), {{"alg", "HS256"}, {"kid", "h1"}})).ok());
  EXPECT_EQ(error_of(v.verify(pk_token(rsa, false, claims(), {{"alg", "RS256"}, {"kid", "nope"}}))),
            "no key to verify a RS256 token with kid nope");
}

TEST(JwtVerifier, RejectsAlgNoneAndAlgorithmsNotAccepted) {
  Verifier v(secret_keys(), {});
  auto none = base64url_encode(json{{"alg", "none"}}.dump()) + "." + base64url_encode(claims().dump()) + ".";
  EXPECT_EQ(error_of(v.verify(none)), "the token's algorithm \"none\" is not accepted");
  EXPECT_EQ(error_of(v.verify(hs256(claims(), {{"alg", "HS512"}}))),
            "the token's algorithm \"HS512\" is not accepted");
  Verifier rs_only(secret_keys(), {.algorithms = {Algorithm::kRS256}});
  EXPECT_EQ(error_of(rs_only.verify(hs256(claims()))), "the token's algorithm \"HS256\" is not accepted");
}

TEST(JwtVerifier, RejectsAlgorithmConfusionWithAPublicKeyUsedAsHmacSecret) {
  Keypair rsa("RSA", 2048);
  auto pem = rsa.public_pem();
  auto keys = std::make_shared<KeySet>();
  ASSERT_TRUE(keys->add_pem(pem).ok());
  Verifier v(keys, {});
  // The classic attack: HS256 signed with the public key's PEM text as the secret.
  EXPECT_EQ(error_of(v.verify(hs256(claims(), {{"alg", "HS256"}}, pem))), "no key to verify a HS256 token");
}

TEST(JwtVerifier, RejectsBadSignaturesAndTamperedPayloads) {
  Verifier v(secret_keys(), {});
  EXPECT_EQ(error_of(v.verify(hs256(claims(), {{"alg", "HS256"}}, kSecret + "x"))),
            "the token's signature does not verify");
  auto token = hs256(claims());
  auto dot = token.find('.');
  auto forged = claims();
  forged["role"] = "admin";
  auto tampered = token.substr(0, dot + 1) + base64url_encode(forged.dump()) + token.substr(token.rfind('.'));
  EXPECT_EQ(error_of(v.verify(tampered)), "the token's signature does not verify");
  Keypair ec("EC", 0);
  auto keys = std::make_shared<KeySet>();
  ASSERT_TRUE(keys->add_pem(ec.public_pem()).ok());
  Verifier ecv(keys, {});
  auto es = pk_token(ec, true, claims());
  EXPECT_EQ(error_of(ecv.verify(es.substr(0, es.rfind('.') + 1) + base64url_encode("short"))),
            "the token's signature does not verify");
}

TEST(JwtVerifier, RejectsMalformedTokens) {
  Verifier v(secret_keys(), {});
  EXPECT_EQ(error_of(v.verify("")), "malformed token: expected header.payload.signature");
  EXPECT_EQ(error_of(v.verify("a.b")), "malformed token: expected header.payload.signature");
  EXPECT_EQ(error_of(v.verify("a.b.c.d")), "malformed token: expected header.payload.signature");
  EXPECT_EQ(error_of(v.verify("!!.b.c")), "malformed token: invalid base64url");
  EXPECT_EQ(error_of(v.verify(base64url_encode("[1]") + ".e30.")),
            "malformed token: the header is not a JSON object with \"alg\"");
  EXPECT_EQ(error_of(v.verify(hs256(json::array({1, 2})))),
            "malformed token: the payload is not a JSON object");
  EXPECT_EQ(error_of(v.verify(hs256(claims(), {{"alg", "HS256"}, {"crit", {"exp"}}}))),
            "the token has critical header parameters we do not support");
  EXPECT_EQ(error_of(v.verify(std::string(20000, 'a'))), "the token is too long");
}

TEST(JwtVerifier, ChecksExpNbfIssAndAudWithLeeway) {
  Verifier v(
      secret_keys(),
      {.issuer = "https://issuer.test", .audiences = {"fraiseql"}, .leeway = std::chrono::seconds(30)});
  EXPECT_EQ(error_of(v.verify(hs256(claims(-31)))), "the token has expired");
  EXPECT_TRUE(v.verify(hs256(claims(-10))).ok());  // inside the leeway
  auto early = claims();
  early["nbf"] = early["exp"].get<std::int64_t>();
  EXPECT_EQ(error_of(v.verify(hs256(early))), "the token is not valid yet");
  auto no_exp = claims();
  no_exp.erase("exp");
  EXPECT_EQ(error_of(v.verify(hs256(no_exp))), "the token has no \"exp\" claim");
  auto bad_exp = claims();
  bad_exp["exp"] = "tomorrow";
  EXPECT_EQ(error_of(v.verify(hs256(bad_exp))), "the token's \"exp\" claim is not a number");
  auto iss = claims();
  iss["iss"] = "https://evil.test";
  EXPECT_EQ(error_of(v.verify(hs256(iss))), "the token's issuer is not accepted");
  auto aud = claims();
  aud["aud"] = json::array({"a", "b"});
  EXPECT_EQ(error_of(v.verify(hs256(aud))), "the token's audience is not accepted");
  aud["aud"] = json::array({"a", "fraiseql"});
  EXPECT_TRUE(v.verify(hs256(aud)).ok());
  auto no_aud = claims();
  no_aud.erase("aud");
  EXPECT_EQ(error_of(v.verify(hs256(no_aud))), "the token's audience is not accepted");
}

TEST(KeySet, RejectsWeakOrMalformedKeys) {
  KeySet set;
  EXPECT_EQ(set.add_secret("short").error().message, "an HS256 secret must be at least 32 bytes long");
  EXPECT_EQ(set.add_pem("not a pem").error().message, "not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  Keypair small("RSA", 1024);
  EXPECT_EQ(set.add_pem(small.public_pem()).error().message,
            "RSA keys shorter than 2048 bits are not accepted");
  EXPECT_FALSE(set.add_jwks("{}").ok());
  EXPECT_FALSE(set.add_jwks(R"({"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]})").ok());
  EXPECT_FALSE(set.add_jwks(R"({"keys":[{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}]})").ok());
  EXPECT_EQ(set.size(), 0u);
}

}  // namespace
}  // namespace fraiseql::auth
