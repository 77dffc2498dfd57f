#pragma once
// The two GraphQL-over-WebSocket subprotocols' vocabulary: negotiation, close codes,
// decoding client messages and encoding server ones. No I/O here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fraiseql/http/message.hpp"

namespace fraiseql::ws {

enum class Subprotocol : std::uint8_t {
  kNone,         // the client offered neither: the socket closes with 4406
  kTransportWs,  // graphql-transport-ws (the graphql-ws library)
  kLegacy,       // graphql-ws (subscriptions-transport-ws, older Apollo clients)
};

inline constexpr std::string_view kTransportWsName = "graphql-transport-ws";
inline constexpr std::string_view kLegacyName = "graphql-ws";

/// The subprotocol to answer with for the Sec-WebSocket-Protocol offers; the current
/// protocol wins when both are offered.
Subprotocol choose_subprotocol(const http::Headers& headers);
std::string_view subprotocol_name(Subprotocol protocol) noexcept;

// Close codes: RFC 6455 and graphql-transport-ws.
inline constexpr std::uint16_t kCloseNormal = 1000;
inline constexpr std::uint16_t kCloseGoingAway = 1001;
inline constexpr std::uint16_t kCloseTryAgainLater = 1013;
inline constexpr std::uint16_t kCloseBadRequest = 4400;
inline constexpr std::uint16_t kCloseUnauthorized = 4401;
inline constexpr std::uint16_t kCloseForbidden = 4403;
inline constexpr std::uint16_t kCloseSubprotocolNotAcceptable = 4406;
inline constexpr std::uint16_t kCloseInitTimeout = 4408;
inline constexpr std::uint16_t kCloseSubscriberExists = 4409;
inline constexpr std::uint16_t kCloseTooManyInit = 4429;

/// A client message: a JSON object with a string `type`.
struct ClientMessage {
  std::string type;
  std::optional<std::string> id;  // set when `id` is a string
  bool id_present = false;        // `id` was there, whatever its type
  nlohmann::json payload;         // null when absent
  bool payload_present = false;
};

/// nullopt when `text` is not JSON, not an object or has no string `type`.
std::optional<ClientMessage> decode_client_message(std::string_view text);

/// `{"type":..,"id":..,"payload":..}`; `id` and `payload_json` (JSON text, spliced
/// as is) are left out when empty.
std::string server_message(std::string_view type, std::string_view id = {},
                           std::string_view payload_json = {});

/// The `errors` array of a GraphQL response body, as JSON text; a one-error array when
/// the body has none.
std::string errors_array(std::string_view body);

/// `reason` cut to the 123 bytes a close frame allows, on a UTF-8 character boundary.
std::string close_reason(std::string_view reason);

}  // namespace fraiseql::ws
