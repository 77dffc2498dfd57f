#include "connection.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "fraiseql/core/json.hpp"
#include "fraiseql/core/request_id.hpp"

namespace fraiseql::ws {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

bool benign(beast::error_code ec) {
  return ec == websocket::error::closed || ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe || ec == beast::error::timeout;
}

}  // namespace

Connection::Connection(std::shared_ptr<Endpoint::State> state, asio::io_context& loop,
                       asio::ip::tcp::socket socket, http::Request request)
    : state_(std::move(state)),
      loop_(loop),
      ws_(std::move(socket)),
      request_(std::move(request)),
      init_timer_(loop),
      heartbeat_timer_(loop),
      close_timer_(loop),
      expiry_timer_(loop) {
  state_->open.fetch_add(1);
  state_->active->Increment();
}

Connection::~Connection() {
  state_->active->Decrement();
  state_->open.fetch_sub(1);
}

void Connection::start() {
  const auto& o = state_->options;
  if (static_cast<std::size_t>(state_->open.load()) > o.max_connections) {
    state_->refused->Increment();
    return refuse(503, "too many WebSocket connections");
  }
  if (state_->draining.load()) return refuse(503, "the server is shutting down");
  protocol_ = choose_subprotocol(request_.headers);

  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, request_.target, 11};
  for (const auto& [name, value] : request_.headers) req.insert(name, value);

  websocket::stream_base::timeout timeout{};
  timeout.handshake_timeout = o.close_timeout;  // both the opening and the closing handshake
  timeout.idle_timeout = websocket::stream_base::none();
  timeout.keep_alive_pings = false;  // the subprotocols carry their own keep-alive
  ws_.set_option(timeout);
  beast::get_lowest_layer(ws_).expires_never();
  ws_.read_message_max(o.max_message_bytes);
  auto name = std::string(subprotocol_name(protocol_));
  ws_.set_option(websocket::stream_base::decorator([name](websocket::response_type& res) {
    res.set(bhttp::field::server, "fraiseql");
    if (!name.empty()) res.set(bhttp::field::sec_websocket_protocol, name);
  }));
  ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

// Answers the upgrade request with an HTTP error instead of switching protocols.
void Connection::refuse(unsigned status, std::string_view message) {
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(bhttp::int_to_status(status), 11);
  res->set(bhttp::field::server, "fraiseql");
  res->set(bhttp::field::content_type, "application/json");
  res->set(bhttp::field::connection, "close");
  if (status == 503) res->set(bhttp::field::retry_after, "1");
  std::string body = R"({"errors":[{"message":)";
  append_json_string(body, message);
  body += R"(,"extensions":{"code":"UNAVAILABLE"}}]})";
  res->body() = std::move(body);
  res->prepare_payload();
  auto& stream = beast::get_lowest_layer(ws_);
  stream.expires_after(state_->options.close_timeout);
  bhttp::async_write(stream, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) {
    beast::error_code ec;
    beast::get_lowest_layer(self->ws_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(self->ws_).close();
  });
}

void Connection::on_accept(beast::error_code ec) {
  if (ec) {
    // Beast has answered a malformed handshake with 400 already.
    spdlog::debug("websocket handshake from {} failed: {}", request_.remote, ec.message());
    return finish();
  }
  accepted_ = true;
  read();
  if (protocol_ == Subprotocol::kNone)
    return close(kCloseSubprotocolNotAcceptable, "Subprotocol not acceptable");
  if (draining_ || state_->draining.load()) return close(kCloseGoingAway, "Server shutting down");
  start_init_timer();
}

void Connection::start_init_timer() {
  init_timer_.expires_after(state_->options.init_timeout);
  init_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->init_received_) return;
    self->close(kCloseInitTimeout, "Connection initialisation timeout");
  });
}

// Server-side keep-alive: `ping` on graphql-transport-ws, `ka` on graphql-ws.
void Connection::start_heartbeat() {
  auto interval =
      protocol_ == Subprotocol::kLegacy ? state_->options.keep_alive : state_->options.ping_interval;
  if (interval.count() <= 0 || closing_) return;
  heartbeat_timer_.expires_after(interval);
  heartbeat_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closing_) return;
    self->send(server_message(self->protocol_ == Subprotocol::kLegacy ? "ka" : "ping"));
    self->start_heartbeat();
  });
}

void Connection::read() {
  ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void Connection::on_read(beast::error_code ec) {
  if (ec) {
    if (!benign(ec)) spdlog::debug("websocket read from {}: {}", request_.remote, ec.message());
    return finish();
  }
  state_->messages_in->Increment();
  auto data = in_.cdata();
  std::string_view text(static_cast<const char*>(data.data()), data.size());
  if (!closing_) on_message(text);
  in_.consume(in_.size());
  // Reading continues while closing: Beast sees the peer's close frame through it.
  read();
}

void Connection::on_message(std::string_view text) {
  auto m = decode_client_message(text);
  if (protocol_ == Subprotocol::kLegacy) {
    if (!m) {
      return send(server_message("connection_error", {},
                                 R"({"message":"Message must be a JSON object with a type"})"));
    }
    return on_legacy_message(std::move(*m));
  }
  if (!m) return close(kCloseBadRequest, "Invalid message received");
  on_transport_message(std::move(*m));
}

void Connection::on_transport_message(ClientMessage m) {
  const bool payload_object_or_absent = m.payload.is_null() || m.payload.is_object();
  if (m.type == "connection_init") {
    if (!payload_object_or_absent) return close(kCloseBadRequest, "Invalid message received");
    if (init_received_) return close(kCloseTooManyInit, "Too many initialisation requests");
    init_received_ = true;
    init_timer_.cancel();
    if (!authenticate(m.payload)) return;
    acknowledged_ = true;
    send(server_message("connection_ack"));
    return start_heartbeat();
  }
  if (m.type == "ping" || m.type == "pong") {
    if (!payload_object_or_absent) return close(kCloseBadRequest, "Invalid message received");
    if (m.type == "ping")
      send(server_message("pong", {}, m.payload.is_object() ? m.payload.dump() : std::string()));
    return;
  }
  if (m.type == "subscribe") {
    auto query = m.payload.is_object() ? m.payload.find("query") : m.payload.end();
    if (!m.id || m.id->empty() || !m.payload.is_object() || query == m.payload.end() || !query->is_string()) {
      return close(kCloseBadRequest, "Invalid message received");
    }
    if (!acknowledged_) return close(kCloseUnauthorized, "Unauthorized");
    if (operations_.count(*m.id) != 0)
      return close(kCloseSubscriberExists, "Subscriber for " + *m.id + " already exists");
    return subscribe(*m.id, m.payload);
  }
  if (m.type == "complete") {
    if (!m.id || m.id->empty()) return close(kCloseBadRequest, "Invalid message received");
    operations_.erase(*m.id);  // its result, if still coming, is dropped
    return;
  }
  close(kCloseBadRequest, "Unexpected message of type " + m.type + " received");
}

void Connection::on_legacy_message(ClientMessage m) {
  if (m.type == "connection_init") {
    init_received_ = true;
    init_timer_.cancel();
    if (!authenticate(m.payload)) return;
    const bool first = !acknowledged_;
    acknowledged_ = true;
    send(server_message("connection_ack"));
    if (state_->options.keep_alive.count() > 0) send(server_message("ka"));
    if (first) start_heartbeat();
    return;
  }
  if (m.type == "start") {
    auto query = m.payload.is_object() ? m.payload.find("query") : m.payload.end();
    if (!m.id || m.id->empty() || !m.payload.is_object() || query == m.payload.end() || !query->is_string()) {
      return send(server_message("error", m.id.value_or(""), R"({"message":"Invalid params"})"));
    }
    if (!acknowledged_) {
      return send(server_message("error", *m.id, R"({"message":"Connection not initialised"})"));
    }
    // subscriptions-transport-ws replaces an operation whose id is reused.
    operations_.erase(*m.id);
    return subscribe(*m.id, m.payload);
  }
  if (m.type == "stop") {
    if (m.id) operations_.erase(*m.id);
    return;
  }
  if (m.type == "connection_terminate") return close(kCloseNormal, "");
  send(server_message("error", m.id.value_or(""), R"({"message":"Invalid message type!"})"));
}

// Clients put the token in connection_init's payload under different names: the
// graphql-ws convention `Authorization` (maybe inside `headers`), Apollo's `authToken`.
bool Connection::authenticate(const nlohmann::json& payload) {
  std::string token;
  auto text = [](const nlohmann::json& j, const char* key) -> std::string {
    auto it = j.is_object() ? j.find(key) : j.end();
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const char* key : {"Authorization", "authorization"}) {
    if (token.empty()) token = text(payload, key);
    if (token.empty() && payload.is_object() && payload.contains("headers"))
      token = text(payload["headers"], key);
  }
  if (token.empty()) token = text(payload, "authToken");
  if (token.empty()) token = text(payload, "token");
  if (!token.empty() && token.find(' ') == std::string::npos) token = "Bearer " + token;
  auto caller = state_->engine.authenticate(token);
  if (!caller) {
    close(kCloseForbidden, "Forbidden");
    return false;
  }
  authorization_ = std::move(token);
  if (caller->expires_at) {
    // The socket lives no longer than the token that opened it.
    auto left = *caller->expires_at - std::chrono::system_clock::now();
    expiry_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(left));
    expiry_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      if (auto self = weak.lock(); self && !ec) self->close(kCloseForbidden, "Token expired");
    });
  }
  return true;
}

void Connection::subscribe(const std::string& id, const nlohmann::json& payload) {
  const auto& o = state_->options;
  if (draining_ || operations_.size() >= o.max_operations || running_ >= o.max_operations) {
    std::string message =
        draining_ ? "The server is shutting down" : "Too many operations in flight on this connection";
    std::string errors = R"([{"message":)";
    append_json_string(errors, message);
    errors += R"(,"extensions":{"code":"TOO_MANY_OPERATIONS"}}])";
    if (protocol_ == Subprotocol::kLegacy) {
      send(server_message("data", id, R"({"errors":)" + errors + "}"));
      return send(server_message("complete", id));
    }
    return send(server_message("error", id, errors));
  }
  exec::OperationRequest request;
  request.query = payload["query"].get<std::string>();
  request.authorization = authorization_;
  if (auto name = payload.find("operationName"); name != payload.end() && name->is_string()) {
    request.operation_name = name->get<std::string>();
  }
  if (auto vars = payload.find("variables"); vars != payload.end()) request.variables = *vars;
  if (auto ext = payload.find("extensions"); ext != payload.end()) request.extensions = *ext;
  request.request_id = generate_request_id();

  const std::uint64_t serial = ++next_serial_;
  operations_[id] = serial;
  ++running_;
  // Done may run on another thread, or before execute() returns: either way the result
  // is handled later on this connection's loop.
  state_->engine.execute(
      std::move(request), [self = shared_from_this(), id, serial](exec::OperationResponse r) {
        auto& loop = self->loop_;
        asio::post(loop, [self, id, serial, r = std::move(r)] { self->on_result(id, serial, r); });
      });
}

void Connection::on_result(const std::string& id, std::uint64_t serial,
                           const exec::OperationResponse& response) {
  --running_;
  auto it = operations_.find(id);
  if (it != operations_.end() && it->second == serial && !finished_) {
    operations_.erase(it);
    if (protocol_ == Subprotocol::kLegacy) {
      // subscriptions-transport-ws sends request errors as `data` with `errors` too.
      send(server_message("data", id, response.body));
    } else if (response.outcome == exec::Outcome::kExecuted) {
      send(server_message("next", id, response.body));
    } else {
      send(server_message("error", id, errors_array(response.body)));
    }
    if (protocol_ == Subprotocol::kLegacy || response.outcome == exec::Outcome::kExecuted) {
      send(server_message("complete", id));
    }
  }
  maybe_close_drained();
}

void Connection::shutdown() {
  draining_ = true;
  if (!accepted_) return;  // on_accept closes it
  init_timer_.cancel();
  maybe_close_drained();
}

void Connection::maybe_close_drained() {
  if (draining_ && running_ == 0 && accepted_) close(kCloseGoingAway, "Server shutting down");
}

void Connection::send(std::string message) {
  if (closing_ || finished_) return;
  const auto& o = state_->options;
  if (queue_.size() >= o.max_queued_messages || queued_bytes_ + message.size() > o.max_queued_bytes) {
    return on_slow_consumer();
  }
  queued_bytes_ += message.size();
  queue_.push_back(std::move(message));
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (queue_.empty()) {
    writing_ = false;
    if (closing_ && !close_sent_) send_close();
    return;
  }
  writing_ = true;
  ws_.text(true);
  ws_.async_write(asio::buffer(queue_.front()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    if (ec) {
                      self->writing_ = false;
                      if (!benign(ec))
                        spdlog::debug("websocket write to {}: {}", self->request_.remote, ec.message());
                      beast::get_lowest_layer(self->ws_).close();
                      return;
                    }
                    self->state_->messages_out->Increment();
                    self->queued_bytes_ -= self->queue_.front().size();
                    self->queue_.pop_front();
                    self->write_next();
                  });
}

// A client that does not read its messages is cut off rather than buffered without bound.
void Connection::on_slow_consumer() {
  state_->slow_consumers->Increment();
  spdlog::warn("websocket client {} is not reading: {} messages, {} bytes queued; closing", request_.remote,
               queue_.size(), queued_bytes_);
  // Keep only the message being written: a frame cannot be abandoned halfway.
  while (queue_.size() > (writing_ ? 1U : 0U)) {
    queued_bytes_ -= queue_.back().size();
    queue_.pop_back();
  }
  close(kCloseTryAgainLater, "Send queue full");
}

void Connection::close(std::uint16_t code, std::string_view reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  close_code_ = code;
  close_reason_ = ws::close_reason(reason);
  init_timer_.cancel();
  heartbeat_timer_.cancel();
  // A peer that neither reads what is queued nor answers the close frame is dropped.
  close_timer_.expires_after(state_->options.close_timeout);
  close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_) return;
    beast::get_lowest_layer(self->ws_).close();
  });
  if (!writing_) send_close();
}

void Connection::send_close() {
  close_sent_ = true;
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(close_code_), close_reason_),
                  [self = shared_from_this()](beast::error_code ec) {
                    if (ec && !benign(ec))
                      spdlog::debug("websocket close to {}: {}", self->request_.remote, ec.message());
                  });
}

// The read loop ended: the socket is closed or the close handshake is done.
void Connection::finish() {
  if (finished_) return;
  finished_ = true;
  operations_.clear();
  queue_.clear();
  queued_bytes_ = 0;
  init_timer_.cancel();
  heartbeat_timer_.cancel();
  close_timer_.cancel();
  expiry_timer_.cancel();
  beast::error_code ec;
  beast::get_lowest_layer(ws_).socket().close(ec);
}

}  // namespace fraiseql::ws
