#include "fraiseql/ws/endpoint.hpp"

#include <charconv>
#include <string>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include "connection.hpp"
#include "state.hpp"

namespace fraiseql::ws {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Endpoint::Endpoint(exec::Engine& engine, Options options, metrics::Registry& registry)
    : state_(std::make_shared<State>(engine, options)) {
  auto& prom = registry.prom();
  state_->active = &prometheus::BuildGauge()
                        .Name("fraiseql_active_connections")
                        .Help("Open WebSocket connections.")
                        .Register(prom)
                        .Add({});
  auto& messages = prometheus::BuildCounter()
                       .Name("fraiseql_ws_messages_total")
                       .Help("WebSocket messages received (in) and sent (out).")
                       .Register(prom);
  state_->messages_in = &messages.Add({{"direction", "in"}});
  state_->messages_out = &messages.Add({{"direction", "out"}});
  state_->slow_consumers = &prometheus::BuildCounter()
                                .Name("fraiseql_ws_slow_consumers_closed_total")
                                .Help("WebSocket connections closed because their send queue was full.")
                                .Register(prom)
                                .Add({});
  state_->refused = &prometheus::BuildCounter()
                         .Name("fraiseql_ws_connections_refused_total")
                         .Help("WebSocket upgrades refused because the connection limit was reached.")
                         .Register(prom)
                         .Add({});
}

Endpoint::~Endpoint() = default;

void Endpoint::accept(http::UpgradedConnection connection) {
  tcp::socket socket(*connection.loop);
  boost::system::error_code ec;
  socket.assign(connection.ipv6 ? tcp::v6() : tcp::v4(), connection.fd, ec);
  if (ec) {
    spdlog::warn("websocket: cannot adopt the upgraded socket: {}", ec.message());
    ::close(connection.fd);
    return;
  }
  auto c = std::make_shared<Connection>(state_, *connection.loop, std::move(socket),
                                        std::move(connection.request));
  {
    std::lock_guard lock(state_->mu);
    auto& list = state_->connections;
    // Forget closed connections now and then so the list stays the size of the live set.
    if (list.size() >= 64 && list.size() % 64 == 0) {
      std::erase_if(list, [](const auto& entry) { return entry.first.expired(); });
    }
    list.emplace_back(c, connection.loop);
  }
  c->start();
}

void Endpoint::shutdown() {
  state_->draining = true;
  std::vector<std::pair<std::weak_ptr<Connection>, asio::io_context*>> snapshot;
  {
    std::lock_guard lock(state_->mu);
    snapshot = state_->connections;
  }
  for (auto& [weak, loop] : snapshot) {
    asio::post(*loop, [weak = std::move(weak)] {
      if (auto c = weak.lock()) c->shutdown();
    });
  }
}

std::int64_t Endpoint::open_connections() const noexcept {
  return state_->open.load();
}

}  // namespace fraiseql::ws
