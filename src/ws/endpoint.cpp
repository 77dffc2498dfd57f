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

namespace {

// A positive integer from `FRAISEQL_WS_<name>`, if set.
Result<void> read_number(const std::function<const char*(const char*)>& lookup, const char* variable,
                         std::uint64_t& out) {
  const char* raw = lookup(variable);
  if (raw == nullptr || *raw == '\0') return {};
  std::string_view text(raw);
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string(variable) + ": not a non-negative integer: " + std::string(text));
  }
  out = value;
  return {};
}

}  // namespace

Result<Options> options_from(const std::function<const char*(const char*)>& lookup, Options defaults) {
  Options o = defaults;
  struct Duration {
    const char* name;
    std::chrono::milliseconds* field;
  };
  struct Count {
    const char* name;
    std::size_t* field;
  };
  const Duration durations[] = {
      {"FRAISEQL_WS_INIT_TIMEOUT_MS", &o.init_timeout},
      {"FRAISEQL_WS_PING_INTERVAL_MS", &o.ping_interval},
      {"FRAISEQL_WS_KEEP_ALIVE_MS", &o.keep_alive},
      {"FRAISEQL_WS_CLOSE_TIMEOUT_MS", &o.close_timeout},
  };
  const Count counts[] = {
      {"FRAISEQL_WS_MAX_CONNECTIONS", &o.max_connections},
      {"FRAISEQL_WS_MAX_OPERATIONS", &o.max_operations},
      {"FRAISEQL_WS_MAX_MESSAGE_BYTES", &o.max_message_bytes},
      {"FRAISEQL_WS_MAX_QUEUED_MESSAGES", &o.max_queued_messages},
      {"FRAISEQL_WS_MAX_QUEUED_BYTES", &o.max_queued_bytes},
  };
  for (const auto& d : durations) {
    std::uint64_t v = static_cast<std::uint64_t>(d.field->count());
    if (auto r = read_number(lookup, d.name, v); !r) return r.error();
    *d.field = std::chrono::milliseconds(static_cast<std::int64_t>(v));
  }
  for (const auto& c : counts) {
    std::uint64_t v = *c.field;
    if (auto r = read_number(lookup, c.name, v); !r) return r.error();
    *c.field = static_cast<std::size_t>(v);
  }
  return o;
}

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
