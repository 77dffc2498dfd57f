#include "fraiseql/http/graphql_route.hpp"

#include <charconv>
#include <strings.h>
#include <utility>

#include <nlohmann/json.hpp>
#include <prometheus/counter.h>

#include "fraiseql/graphql/errors.hpp"

namespace fraiseql::http {
namespace {

using nlohmann::json;

constexpr std::string_view kBadRequest = "BAD_REQUEST";

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// q of an Accept element's parameters ("; q=0.5"), 1 when absent; -1 when malformed.
double quality(std::string_view params) {
  while (!params.empty()) {
    auto semi = params.find(';');
    std::string_view p = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string_view v = p.substr(2);
      // RFC 9110 qvalue: 0, 0.xxx or 1, 1.000.
      double q = 0;
      if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return -1;
      q = v[0] - '0';
      if (v.size() > 1) {
        if (v[1] != '.') return -1;
        double scale = 0.1;
        for (char c : v.substr(2)) {
          if (c < '0' || c > '9') return -1;
          q += (c - '0') * scale;
          scale /= 10;
        }
      }
      return q > 1 ? -1 : q;
    }
  }
  return 1;
}

Response bad_request(std::string_view message) {
  return Response::json_error(400, message, kBadRequest);
}

// A JSON member that must be a string or null/absent.
bool optional_string(const json& body, const char* key, std::string& out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_string()) return false;
  out = it->get<std::string>();
  return true;
}

bool optional_object(const json& body, const char* key, json& out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return true;
  if (!it->is_object()) return false;
  out = *it;
  return true;
}

DecodedGraphQLRequest decode_post(const Request& request) {
  DecodedGraphQLRequest d;
  std::string_view type = request.header("Content-Type");
  std::string_view media = trim(type.substr(0, type.find(';')));
  if (!iequals(media, "application/json")) {
    d.error = Response::json_error(
        415,
        type.empty() ? "A POST needs Content-Type: application/json."
                     : "Content-Type must be application/json, not " + std::string(type) + ".",
        kBadRequest);
    d.error->headers.emplace_back("Accept", "application/json");
    return d;
  }
  // A charset other than UTF-8 is refused rather than misread.
  if (auto semi = type.find(';'); semi != std::string_view::npos) {
    std::string_view params = type.substr(semi + 1);
    while (!params.empty()) {
      auto next = params.find(';');
      std::string_view p = trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
      if (p.size() > 8 && iequals(p.substr(0, 8), "charset=")) {
        std::string_view cs = p.substr(8);
        if (cs.size() >= 2 && cs.front() == '"' && cs.back() == '"') cs = cs.substr(1, cs.size() - 2);
        if (!iequals(cs, "utf-8") && !iequals(cs, "utf8")) {
          d.error = Response::json_error(415, "Only the UTF-8 charset is supported.", kBadRequest);
          return d;
        }
      }
    }
  }
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    d.error = bad_request("The request body is not valid JSON.");
    return d;
  }
  if (!body.is_object()) {
    d.error = bad_request("The request body must be a JSON object with a \"query\" string.");
    return d;
  }
  auto& op = d.operation;
  auto q = body.find("query");
  if (q == body.end() || q->is_null()) {
    op.has_query = false;
  } else if (q->is_string()) {
    op.query = q->get<std::string>();
  } else {
    d.error = bad_request("\"query\" must be a string.");
    return d;
  }
  if (!optional_string(body, "operationName", op.operation_name)) {
    d.error = bad_request("\"operationName\" must be a string or null.");
  } else if (!optional_object(body, "variables", op.variables)) {
    d.error = bad_request("\"variables\" must be an object or null.");
  } else if (!optional_object(body, "extensions", op.extensions)) {
    d.error = bad_request("\"extensions\" must be an object or null.");
  }
  return d;
}

// RFC 9110 §13.1.2: If-None-Match is `*` or a list of entity tags; weak comparison.
bool none_match(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view t) {
    t = trim(t);
    if (t.starts_with("W/")) t.remove_prefix(2);
    return t;
  };
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view element = opaque(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (element == "*" || element == opaque(etag)) return true;
  }
  return false;
}

DecodedGraphQLRequest decode_get(const Request& request) {
  DecodedGraphQLRequest d;
  auto& op = d.operation;
  op.queries_only = true;
  std::string value;
  op.has_query = query_param(request.query, "query", op.query);
  if (query_param(request.query, "operationName", value)) op.operation_name = value;
  for (auto [key, target] :
       {std::pair{"variables", &op.variables}, std::pair{"extensions", &op.extensions}}) {
    if (!query_param(request.query, key, value) || value.empty()) continue;
    json parsed = json::parse(value, nullptr, false);
    if (parsed.is_discarded() || !(parsed.is_object() || parsed.is_null())) {
      d.error = bad_request(std::string("\"") + key + "\" must be a JSON object.");
      return d;
    }
    *target = std::move(parsed);
  }
  return d;
}

}  // namespace

std::optional<GraphQLMedia> negotiate_graphql_media(std::string_view accept) {
  if (trim(accept).empty()) return GraphQLMedia::kJson;
  double best_q = 0;
  std::optional<GraphQLMedia> best;
  while (!accept.empty()) {
    auto comma = accept.find(',');
    std::string_view element = trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    auto semi = element.find(';');
    std::string_view range = trim(element.substr(0, semi));
    double q = semi == std::string_view::npos ? 1 : quality(element.substr(semi + 1));
    if (q <= 0) continue;
    std::optional<GraphQLMedia> media;
    if (iequals(range, "application/graphql-response+json")) {
      media = GraphQLMedia::kGraphQLResponseJson;
    } else if (iequals(range, "application/json") || iequals(range, "application/*") ||
               iequals(range, "*/*")) {
      // A wildcard gets what legacy clients understand.
      media = GraphQLMedia::kJson;
    }
    if (!media) continue;
    // Higher q wins; on a tie the first listed wins.
    if (!best || q > best_q) {
      best = media;
      best_q = q;
    }
  }
  return best;
}

std::string_view graphql_content_type(GraphQLMedia media) noexcept {
  return media == GraphQLMedia::kGraphQLResponseJson ? "application/graphql-response+json; charset=utf-8"
                                                     : "application/json; charset=utf-8";
}

DecodedGraphQLRequest decode_graphql_request(const Request& request) {
  auto d = request.method == "POST" ? decode_post(request) : decode_get(request);
  d.operation.request_id = request.request_id;
  d.operation.authorization = std::string(request.header("Authorization"));
  return d;
}

unsigned graphql_status(exec::Outcome outcome, GraphQLMedia media) noexcept {
  const bool legacy = media == GraphQLMedia::kJson;
  switch (outcome) {
    case exec::Outcome::kExecuted: return 200;
    case exec::Outcome::kRequestError: return legacy ? 200 : 400;
    case exec::Outcome::kBadRequest: return 400;
    case exec::Outcome::kForbidden: return 403;
    case exec::Outcome::kUnauthenticated: return 401;
    case exec::Outcome::kRateLimited: return 429;
    case exec::Outcome::kMethodNotAllowed: return 405;
    case exec::Outcome::kUnavailable: return legacy ? 200 : 503;
    case exec::Outcome::kInternalError: return 500;
  }
  return 500;
}

void http_caching(const exec::OperationResponse& response, std::string_view if_none_match, Response& out) {
  // Only what the response cache would keep may be kept downstream, for no longer than
  // the entry lives; the rest (errors, mutations refused over GET, uncached queries)
  // must not be stored, so a browser or proxy never answers for us.
  if (response.cache == exec::CacheStatus::kNone || response.outcome != exec::Outcome::kExecuted) {
    out.headers.emplace_back("Cache-Control", "no-store");
    return;
  }
  out.headers.emplace_back("Cache-Control", (response.private_scope ? "private, max-age=" : "max-age=") +
                                                std::to_string(response.max_age.count()));
  out.headers.emplace_back("ETag", response.etag);
  if (!if_none_match.empty() && none_match(if_none_match, response.etag)) out.status = 304;
}

Route graphql_route(exec::Engine& engine, std::string path, GraphQLRouteOptions options) {
  Route route;
  route.path = std::move(path);
  route.methods = {"GET", "POST"};
  route.async = [&engine, options = std::move(options)](Request&& request, Completion completion) {
    if (options.ip_limiter) {
      const std::string client =
          client_address(request.remote, request.header("X-Forwarded-For"),
                         options.trusted_proxies ? *options.trusted_proxies : TrustedProxies{});
      if (auto d = options.ip_limiter->acquire(client); !d.allowed) {
        if (options.ip_limited != nullptr) options.ip_limited->Increment();
        auto res = Response::json_error(
            429, "Too many requests; retry in " + std::to_string(d.retry_after.count()) + " s.",
            "RATE_LIMITED");
        res.headers.emplace_back("Retry-After", std::to_string(d.retry_after.count()));
        completion.send(std::move(res));
        return;
      }
    }
    auto media = negotiate_graphql_media(request.header("Accept"));
    if (!media) {
      completion.send(Response::json_error(
          406, "Accept application/graphql-response+json or application/json.", "NOT_ACCEPTABLE"));
      return;
    }
    auto decoded = decode_graphql_request(request);
    if (decoded.error) {
      decoded.error->content_type = std::string(graphql_content_type(*media));
      completion.send(std::move(*decoded.error));
      return;
    }
    // The completion is shared: the data source may finish on another thread.
    auto shared = std::make_shared<Completion>(std::move(completion));
    const bool get = request.method == "GET";
    std::string if_none_match(get ? request.header("If-None-Match") : std::string_view{});
    engine.execute(
        std::move(decoded.operation),
        [shared, media = *media, get, if_none_match = std::move(if_none_match)](exec::OperationResponse r) {
          Response res;
          if (get) http_caching(r, if_none_match, res);
          if (res.status != 304) {
            res.status = graphql_status(r.outcome, media);
            res.body = std::move(r.body);
          }
          res.content_type = std::string(graphql_content_type(media));
          if (r.outcome == exec::Outcome::kMethodNotAllowed) res.headers.emplace_back("Allow", "POST");
          if (r.outcome == exec::Outcome::kUnauthenticated) {
            res.headers.emplace_back("WWW-Authenticate", R"(Bearer error="invalid_token")");
          }
          if (r.outcome == exec::Outcome::kRateLimited) {
            res.headers.emplace_back("Retry-After", std::to_string(r.retry_after.count()));
          }
          shared->send(std::move(res));
        });
  };
  return route;
}

}  // namespace fraiseql::http
