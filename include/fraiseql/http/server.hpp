#pragma once
/// The HTTP/1.1 server: one event loop per I/O thread, each with its own listener
/// (SO_REUSEPORT), so a connection lives on one thread and needs no locking.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fraiseql/core/result.hpp"
#include "fraiseql/http/router.hpp"
#include "fraiseql/metrics/registry.hpp"

// Forward declaration only: an upgrade handler runs on the connection's event loop, and
// naming that loop here keeps Asio and Beast out of this header.
namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace fraiseql::http {

/// Cross-origin requests from browsers (CORS). Empty `allowed_origins`: no CORS headers,
/// so browsers on other origins cannot read answers.
struct CorsOptions {
  /// Exact origins ("https://app.example.com"), or "*" for any (then without credentials).
  std::vector<std::string> allowed_origins;
  bool allow_credentials = false;
  std::string allowed_headers = "Content-Type, Authorization, X-Request-Id, Apollo-Require-Preflight";
  std::chrono::seconds max_age{600};
};

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8000;
  unsigned io_threads = 0;                           // 0: one per core
  std::uint64_t max_body_bytes = 1 << 20;            // larger bodies get 413
  std::uint32_t max_header_bytes = 16 * 1024;        // larger headers get 431
  std::chrono::milliseconds header_timeout{10'000};  // whole header must arrive within this
  std::chrono::milliseconds body_timeout{30'000};    // whole body must arrive within this
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};
  bool access_log = true;
  CorsOptions cors;
  /// Run on each I/O thread before its event loop starts, and after it stopped (before
  /// the loop is destroyed): lets other modules keep per-loop state, e.g. the database
  /// router's connections driven on the loop.
  std::function<void(boost::asio::io_context&, unsigned loop_count)> on_loop_start;
  std::function<void(boost::asio::io_context&)> on_loop_stop;
};

/// A connection the server gave up after an `Upgrade: websocket` request on a path
/// registered with Server::upgrade(). The receiver owns the socket from now on.
struct UpgradedConnection {
  boost::asio::io_context* loop = nullptr;  // the connection's event loop: run its handlers there
  int fd = -1;                              // the TCP socket, owned by the receiver
  bool ipv6 = false;                        // the socket's address family
  Request request;                          // the upgrade request as read (no body)
};

/// Takes over upgraded connections (the WebSocket transport implements it).
class UpgradeHandler {
 public:
  virtual ~UpgradeHandler() = default;
  /// Called on the connection's loop thread; must not block.
  virtual void accept(UpgradedConnection connection) = 0;
  /// The server stopped accepting: finish the work in flight, then close every connection.
  virtual void shutdown() = 0;
  /// Connections still open; Server::drain() waits for them too.
  [[nodiscard]] virtual std::int64_t open_connections() const noexcept = 0;
};

class Server {
 public:
  Server(ServerOptions options, Router router, metrics::Registry& registry);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Hands `Upgrade: websocket` requests on `path` to `handler`. Call before start().
  void upgrade(std::string path, std::shared_ptr<UpgradeHandler> handler);

  /// Binds and starts the I/O threads. Fails (without throwing) when the port is taken.
  Result<void> start();

  /// The bound port (useful with port 0).
  [[nodiscard]] std::uint16_t port() const noexcept;

  /// Stops accepting: the listeners close, so new connections are refused. Idle
  /// keep-alive connections close; requests in progress continue and then close.
  void stop_accepting();

  /// Requests being read, handled or answered now.
  [[nodiscard]] std::int64_t in_flight() const noexcept;

  /// Waits until no request is in flight and no upgraded connection is open, or `grace`
  /// passes; true when drained.
  bool drain(std::chrono::milliseconds grace);

  /// Stops the event loops and joins the I/O threads.
  void stop();

  struct Impl;  // public so the connection code in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fraiseql::http
