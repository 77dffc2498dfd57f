#include "fraiseql/graphql/errors.hpp"

#include "fraiseql/core/json.hpp"

namespace fraiseql::graphql {

void GraphQLError::append_json(std::string& out) const {
  out.append("{\"message\":");
  append_json_string(out, message);
  if (!locations.empty()) {
    out.append(",\"locations\":[");
    for (size_t i = 0; i < locations.size(); ++i) {
      if (i > 0) out.push_back(',');
      out.append("{\"line\":").append(std::to_string(locations[i].line));
      out.append(",\"column\":").append(std::to_string(locations[i].column)).push_back('}');
    }
    out.push_back(']');
  }
  if (!path.empty()) {
    out.append(",\"path\":[");
    for (size_t i = 0; i < path.size(); ++i) {
      if (i > 0) out.push_back(',');
      if (const auto* name = std::get_if<std::string>(&path[i])) {
        append_json_string(out, *name);
      } else {
        out.append(std::to_string(std::get<uint32_t>(path[i])));
      }
    }
    out.push_back(']');
  }
  if (!code.empty() || !rule.empty()) {
    out.append(",\"extensions\":{");
    bool first = true;
    if (!code.empty()) {
      out.append("\"code\":");
      append_json_string(out, code);
      first = false;
    }
    if (!rule.empty()) {
      if (!first) out.push_back(',');
      out.append("\"rule\":");
      append_json_string(out, rule);
    }
    out.push_back('}');
  }
  out.push_back('}');
}

std::string GraphQLError::to_json() const {
  std::string out;
  append_json(out);
  return out;
}

void append_errors_json(std::string& out, const std::vector<GraphQLError>& errors) {
  out.push_back('[');
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out.push_back(',');
    errors[i].append_json(out);
  }
  out.push_back(']');
}

std::string errors_response_json(const std::vector<GraphQLError>& errors) {
  std::string out = "{\"errors\":";
  append_errors_json(out, errors);
  out.push_back('}');
  return out;
}

}  // namespace fraiseql::graphql
