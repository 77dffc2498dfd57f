#include "fraiseql/http/router.hpp"

#include <algorithm>

namespace fraiseql::http {

Completion::~Completion() {
  if (sink_)
    sink_->complete(Response::json_error(500, "the request was dropped without an answer", "INTERNAL"));
}

void Completion::send(Response response) {
  if (!sink_) return;
  auto sink = std::move(sink_);
  sink->complete(std::move(response));
}

void Router::add(Route route) {
  routes_.push_back(std::move(route));
}

const Route* Router::find(std::string_view path) const noexcept {
  for (const auto& r : routes_) {
    if (r.path == path) return &r;
  }
  return nullptr;
}

int Router::index_of(const Route* route) const noexcept {
  if (route == nullptr) return -1;
  return static_cast<int>(route - routes_.data());
}

bool Router::allows(const Route& route, std::string_view method) noexcept {
  auto has = [&](std::string_view m) {
    return std::find(route.methods.begin(), route.methods.end(), m) != route.methods.end();
  };
  return has(method) || (method == "HEAD" && has("GET"));
}

std::string Router::allow_header(const Route& route) {
  std::string out;
  for (const auto& m : route.methods) {
    out += (out.empty() ? "" : ", ") + m;
    if (m == "GET") out += ", HEAD";
  }
  return out;
}

}  // namespace fraiseql::http
