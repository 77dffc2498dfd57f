#pragma once
// One WebSocket connection: Beast's stream, the subprotocol state machine, a bounded
// send queue, and the operations it runs through exec. Lives on one event loop thread.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "fraiseql/http/message.hpp"

#include "protocol.hpp"
#include "state.hpp"

namespace fraiseql::ws {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Endpoint::State> state, boost::asio::io_context& loop,
             boost::asio::ip::tcp::socket socket, http::Request request);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Answers the upgrade (or refuses it) and starts reading.
  void start();
  /// Server drain: close with 1001 once the operations in flight are done.
  void shutdown();

 private:
  void refuse(unsigned status, std::string_view message);
  void on_accept(boost::beast::error_code ec);
  void read();
  void on_read(boost::beast::error_code ec);
  void on_message(std::string_view text);
  void on_transport_message(ClientMessage m);
  void on_legacy_message(ClientMessage m);
  void subscribe(const std::string& id, const nlohmann::json& payload);
  void on_result(const std::string& id, std::uint64_t serial, const exec::OperationResponse& response);
  void send(std::string message);
  void write_next();
  void close(std::uint16_t code, std::string_view reason);
  void send_close();
  void on_slow_consumer();
  void finish();
  void start_init_timer();
  void start_heartbeat();
  void maybe_close_drained();
  // Takes the token of a connection_init payload; false when it was refused (closed 4403).
  bool authenticate(const nlohmann::json& payload);

  std::shared_ptr<Endpoint::State> state_;
  boost::asio::io_context& loop_;
  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  http::Request request_;
  Subprotocol protocol_ = Subprotocol::kNone;
  boost::beast::flat_buffer in_;
  std::deque<std::string> queue_;  // front is being written while writing_
  std::size_t queued_bytes_ = 0;
  boost::asio::steady_timer init_timer_;
  boost::asio::steady_timer heartbeat_timer_;  // `ping` or `ka`
  boost::asio::steady_timer close_timer_;
  boost::asio::steady_timer expiry_timer_;  // closes with 4403 when the init token expires
  // From connection_init: "Bearer <token>" for every operation of the connection.
  std::string authorization_;
  // Operation id -> serial of its run, so a result for a cancelled (or reused) id is dropped.
  std::unordered_map<std::string, std::uint64_t> operations_;
  std::uint64_t next_serial_ = 0;
  std::size_t running_ = 0;  // exec calls not yet answered, cancelled ones included
  std::uint16_t close_code_ = 0;
  std::string close_reason_;
  bool accepted_ = false;
  bool init_received_ = false;
  bool acknowledged_ = false;
  bool writing_ = false;
  bool closing_ = false;  // no more messages are sent; a close frame follows the write in progress
  bool close_sent_ = false;
  bool draining_ = false;
  bool finished_ = false;
};

}  // namespace fraiseql::ws
