#pragma once
/// GraphQL over WebSocket on the HTTP server's upgrade hook: the `graphql-transport-ws`
/// subprotocol and the legacy `graphql-ws` one (subscriptions-transport-ws). Operations
/// run through exec::Engine like those of POST /graphql.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "fraiseql/core/result.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/http/server.hpp"
#include "fraiseql/metrics/registry.hpp"

namespace fraiseql::ws {

struct Options {
  std::chrono::milliseconds init_timeout{3'000};   // connection_init must arrive within this (4408)
  std::chrono::milliseconds ping_interval{0};      // server `ping` (graphql-transport-ws); 0: none
  std::chrono::milliseconds keep_alive{12'000};    // `ka` interval (graphql-ws); 0: none
  std::chrono::milliseconds close_timeout{5'000};  // a closing peer must finish within this
  std::size_t max_connections = 10'000;            // per process; more are refused with 503
  std::size_t max_operations = 100;                // in flight per connection
  std::size_t max_message_bytes = 1 << 20;         // larger incoming messages close with 1009
  std::size_t max_queued_messages = 1'024;         // unsent messages before closing with 1013
  std::size_t max_queued_bytes = 4 << 20;          // unsent bytes before closing with 1013
};

/// Takes over upgraded `/graphql` connections. Register it with http::Server::upgrade().
class Endpoint final : public http::UpgradeHandler {
 public:
  /// `engine` and `registry` must outlive every connection (the server's loops).
  Endpoint(exec::Engine& engine, Options options, metrics::Registry& registry);
  ~Endpoint() override;
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  void accept(http::UpgradedConnection connection) override;
  /// Each connection closes with 1001 once its operations in flight have finished.
  void shutdown() override;
  [[nodiscard]] std::int64_t open_connections() const noexcept override;

  struct State;  // shared with the connections, which may outlive the endpoint's owner

 private:
  std::shared_ptr<State> state_;
};

}  // namespace fraiseql::ws
