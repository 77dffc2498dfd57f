#pragma once
// A blocking WebSocket client on Beast for the tests: one connection, text messages,
// and the close code and reason the server sent.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace fraiseql::e2e {

class WsClient {
 public:
  /// Connects to 127.0.0.1:`port` and asks to upgrade `target`, offering `protocols`
  /// (a Sec-WebSocket-Protocol value; empty: the header is left out). Check
  /// upgraded() before using the connection. `receive_buffer` > 0 shrinks SO_RCVBUF.
  WsClient(std::uint16_t port, const std::string& protocols, const std::string& target = "/graphql",
           int receive_buffer = 0);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  [[nodiscard]] bool upgraded() const noexcept;
  /// The subprotocol the server chose; empty when none.
  [[nodiscard]] std::string subprotocol() const;

  void send(std::string_view text);
  void send_json(const nlohmann::json& message) { send(message.dump()); }

  /// The next message, or nullopt when the connection closed (see close_code()). Fails
  /// the test (throws) when nothing arrives within `deadline`.
  std::optional<std::string> read(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  /// The next message as JSON, or a null JSON value when the connection closed.
  nlohmann::json read_json(std::chrono::milliseconds deadline = std::chrono::seconds(10));
  /// Reads until the server closes; the number of messages read meanwhile.
  std::size_t read_until_closed(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  /// The close frame's code (0 when none arrived yet, 1006 when the TCP connection ended
  /// without one) and reason.
  [[nodiscard]] int close_code() const noexcept { return close_code_; }
  [[nodiscard]] const std::string& close_reason() const noexcept { return close_reason_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int close_code_ = 0;
  std::string close_reason_;
};

/// graphql-transport-ws: connect, connection_init, and expect connection_ack.
std::unique_ptr<WsClient> acknowledged_client(std::uint16_t port);

}  // namespace fraiseql::e2e
