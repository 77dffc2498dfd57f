#include "protocol.hpp"

#include "fraiseql/core/json.hpp"

namespace fraiseql::ws {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

Subprotocol choose_subprotocol(const http::Headers& headers) {
  bool transport = false;
  bool legacy = false;
  // The header may repeat, and each may list several protocols.
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "Sec-WebSocket-Protocol")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto item = trim(rest.substr(0, comma));
      transport = transport || item == kTransportWsName;
      legacy = legacy || item == kLegacyName;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (transport) return Subprotocol::kTransportWs;
  if (legacy) return Subprotocol::kLegacy;
  return Subprotocol::kNone;
}

std::string_view subprotocol_name(Subprotocol protocol) noexcept {
  switch (protocol) {
    case Subprotocol::kTransportWs: return kTransportWsName;
    case Subprotocol::kLegacy: return kLegacyName;
    case Subprotocol::kNone: break;
  }
  return {};
}

std::optional<ClientMessage> decode_client_message(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  auto type = json.find("type");
  if (type == json.end() || !type->is_string()) return std::nullopt;
  ClientMessage m;
  m.type = type->get<std::string>();
  if (auto id = json.find("id"); id != json.end()) {
    m.id_present = true;
    if (id->is_string()) m.id = id->get<std::string>();
  }
  if (auto payload = json.find("payload"); payload != json.end()) {
    m.payload_present = true;
    m.payload = std::move(*payload);
  }
  return m;
}

std::string server_message(std::string_view type, std::string_view id, std::string_view payload_json) {
  std::string out;
  out.reserve(32 + id.size() + payload_json.size());
  out += R"({"type":)";
  append_json_string(out, type);
  if (!id.empty()) {
    out += R"(,"id":)";
    append_json_string(out, id);
  }
  if (!payload_json.empty()) {
    out += R"(,"payload":)";
    out += payload_json;
  }
  out += '}';
  return out;
}

std::string errors_array(std::string_view body) {
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_discarded() && json.is_object()) {
    if (auto errors = json.find("errors"); errors != json.end() && errors->is_array()) return errors->dump();
  }
  return R"([{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}])";
}

std::string close_reason(std::string_view reason) {
  constexpr std::size_t kMax = 123;
  if (reason.size() <= kMax) return std::string(reason);
  std::size_t n = kMax;
  // Step back over continuation bytes so no character is cut in half.
  while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0U) == 0x80U) --n;
  return std::string(reason.substr(0, n));
}

}  // namespace fraiseql::ws
