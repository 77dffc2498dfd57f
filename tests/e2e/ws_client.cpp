#include "ws_client.hpp"

#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace fraiseql::e2e {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  websocket::response_type response;
  bool upgraded = false;
  bool closed = false;
};

namespace {

// Blocking reads give up after `deadline` (SO_RCVTIMEO), so a test never hangs.
void set_receive_timeout(tcp::socket& socket, std::chrono::milliseconds deadline) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(deadline.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((deadline.count() % 1000) * 1000);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace

WsClient::WsClient(std::uint16_t port, const std::string& protocols, const std::string& target,
                   int receive_buffer)
    : impl_(std::make_unique<Impl>()) {
  auto& sock = impl_->ws.next_layer();
  sock.open(tcp::v4());
  if (receive_buffer > 0) sock.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_receive_timeout(sock, std::chrono::seconds(10));
  impl_->ws.set_option(websocket::stream_base::decorator([protocols](websocket::request_type& req) {
    if (!protocols.empty()) req.set(beast::http::field::sec_websocket_protocol, protocols);
  }));
  impl_->ws.read_message_max(64U << 20U);
  beast::error_code ec;
  impl_->ws.handshake(impl_->response, "127.0.0.1:" + std::to_string(port), target, ec);
  impl_->upgraded = !ec;
}

WsClient::~WsClient() {
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

bool WsClient::upgraded() const noexcept {
  return impl_->upgraded;
}

std::string WsClient::subprotocol() const {
  return std::string(impl_->response[beast::http::field::sec_websocket_protocol]);
}

void WsClient::send(std::string_view text) {
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text.data(), text.size()));
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds deadline) {
  if (impl_->closed) return std::nullopt;
  set_receive_timeout(impl_->ws.next_layer(), deadline);
  beast::flat_buffer buffer;
  beast::error_code ec;
  impl_->ws.read(buffer, ec);
  if (!ec) return beast::buffers_to_string(buffer.data());
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    throw std::runtime_error("no WebSocket message within the deadline");
  }
  impl_->closed = true;
  // A close frame counts even when the TCP teardown after it failed.
  if (ec == websocket::error::closed || impl_->ws.reason().code != websocket::close_code::none) {
    close_code_ = impl_->ws.reason().code;
    close_reason_ = std::string(impl_->ws.reason().reason.c_str());
  } else {
    close_code_ = 1006;
    close_reason_ = ec.message();
  }
  return std::nullopt;
}

nlohmann::json WsClient::read_json(std::chrono::milliseconds deadline) {
  auto text = read(deadline);
  if (!text) return nullptr;
  return nlohmann::json::parse(*text);
}

std::size_t WsClient::read_until_closed(std::chrono::milliseconds deadline) {
  std::size_t n = 0;
  while (read(deadline)) ++n;
  return n;
}

std::unique_ptr<WsClient> acknowledged_client(std::uint16_t port) {
  auto client = std::make_unique<WsClient>(port, "graphql-transport-ws");
  if (!client->upgraded()) throw std::runtime_error("WebSocket upgrade refused");
  client->send(R"({"type":"connection_init"})");
  auto ack = client->read_json();
  if (ack != nlohmann::json::parse(R"({"type":"connection_ack"})")) {
    throw std::runtime_error("expected connection_ack, got " + ack.dump());
  }
  return client;
}

}  // namespace fraiseql::e2e
