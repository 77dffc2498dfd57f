#pragma once
/// POST and GET /graphql as the GraphQL-over-HTTP specification has them: request
/// decoding, response media types and status codes. The operation itself runs in exec.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fraiseql/exec/engine.hpp"
#include "fraiseql/http/client_address.hpp"
#include "fraiseql/http/router.hpp"
#include "fraiseql/resilience/rate_limiter.hpp"

namespace prometheus {
class Counter;
}  // namespace prometheus

namespace fraiseql::http {

/// The two response media types of the specification.
enum class GraphQLMedia : std::uint8_t {
  kGraphQLResponseJson,  // application/graphql-response+json: status codes carry meaning
  kJson,                 // application/json (legacy clients): 200 for any well-formed request
};

/// The media type to answer with for an Accept header (absent: application/json), or
/// nullopt when the client accepts neither (406).
std::optional<GraphQLMedia> negotiate_graphql_media(std::string_view accept);

/// `Content-Type` value for a media type, with charset.
std::string_view graphql_content_type(GraphQLMedia media) noexcept;

/// The request parameters of a POST or GET, or the 4xx answer when they are malformed.
struct DecodedGraphQLRequest {
  exec::OperationRequest operation;
  std::optional<Response> error;
};
DecodedGraphQLRequest decode_graphql_request(const Request& request);

/// The HTTP status for an operation outcome in a media type.
unsigned graphql_status(exec::Outcome outcome, GraphQLMedia media) noexcept;

/// HTTP caching of a GET answer (RFC 9111): `Cache-Control: max-age=<remaining
/// lifetime>` (`private, ...` when it depends on the caller's scope) and a strong `ETag`
/// when exec says the response is cacheable, `no-store` otherwise. Sets `out.status` to
/// 304 when `if_none_match` lists the ETag; the caller then sends no body.
void http_caching(const exec::OperationResponse& response, std::string_view if_none_match, Response& out);

struct GraphQLRouteOptions {
  /// Requests per client address (the peer, or X-Forwarded-For behind trusted_proxies);
  /// refused ones get 429 with Retry-After before any work. Null: unlimited.
  std::shared_ptr<resilience::RateLimiter> ip_limiter;
  std::shared_ptr<const TrustedProxies> trusted_proxies;
  prometheus::Counter* ip_limited = nullptr;  // counts refusals; may be null
};

/// POST|GET `path`, running operations on `engine` (which must outlive the route).
Route graphql_route(exec::Engine& engine, std::string path = "/graphql", GraphQLRouteOptions options = {});

}  // namespace fraiseql::http
