#pragma once
// What the endpoint shares with its connections, which live on the server's loops.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include "fraiseql/ws/endpoint.hpp"

namespace fraiseql::ws {

class Connection;

struct Endpoint::State {
  State(exec::Engine& e, Options o) : engine(e), options(o) {}

  exec::Engine& engine;
  const Options options;
  prometheus::Gauge* active = nullptr;
  prometheus::Counter* messages_in = nullptr;
  prometheus::Counter* messages_out = nullptr;
  prometheus::Counter* slow_consumers = nullptr;
  prometheus::Counter* refused = nullptr;
  std::atomic<std::int64_t> open{0};
  std::atomic<bool> draining{false};

  // Every connection with its loop, so shutdown can reach each one on its own thread.
  std::mutex mu;
  std::vector<std::pair<std::weak_ptr<Connection>, boost::asio::io_context*>> connections;
};

}  // namespace fraiseql::ws
