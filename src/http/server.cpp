#include "fraiseql/http/server.hpp"

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "fraiseql/core/request_id.hpp"
#include "fraiseql/log/log.hpp"

namespace fraiseql::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

class Session;

// Per-route metric handles; counters by (method, status) are created on first use.
struct Metrics {
  prometheus::Family<prometheus::Counter>* requests = nullptr;
  prometheus::Family<prometheus::Histogram>* duration = nullptr;
  prometheus::Gauge* in_flight = nullptr;
  prometheus::Gauge* connections = nullptr;
  prometheus::Counter* rejected = nullptr;
  std::vector<prometheus::Histogram*> route_duration;  // index: route, last = unmatched
  std::mutex mu;
  std::map<std::tuple<int, std::string, unsigned>, prometheus::Counter*> counters;

  prometheus::Counter& counter(int route, const std::string& route_label, const std::string& method,
                               unsigned status) {
    std::lock_guard lock(mu);
    auto key = std::make_tuple(route, method, status);
    auto it = counters.find(key);
    if (it != counters.end()) return *it->second;
    auto& c = requests->Add({{"route", route_label}, {"method", method}, {"status", std::to_string(status)}});
    counters.emplace(key, &c);
    return c;
  }
};

// One event loop and its listener, run by one thread.
struct Loop {
  asio::io_context ioc{1};
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::weak_ptr<Session>> sessions;  // touched only on this loop's thread
  std::thread thread;
  // Per-loop counter cache, so the shared map's mutex is not taken per request.
  std::map<std::tuple<int, std::string, unsigned>, prometheus::Counter*> counters;
};

// The "Date" header value, recomputed at most once a second per thread.
const std::string& http_date() {
  thread_local std::time_t last = 0;
  thread_local std::string value;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    last = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[64];
    auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    value.assign(buf, n);
  }
  return value;
}

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Router router;
  Metrics metrics;
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<bool> draining{false};
  std::atomic<std::int64_t> in_flight{0};
  std::mutex drain_mu;
  std::condition_variable drain_cv;
  std::uint16_t port = 0;
  bool stopped = false;
  std::vector<std::pair<std::string, std::shared_ptr<UpgradeHandler>>> upgrades;  // fixed after start()

  UpgradeHandler* upgrade_for(std::string_view path) const noexcept {
    for (const auto& [p, h] : upgrades) {
      if (p == path) return h.get();
    }
    return nullptr;
  }

  bool upgraded_open() const noexcept {
    for (const auto& [p, h] : upgrades) {
      if (h->open_connections() > 0) return true;
    }
    return false;
  }

  Impl(ServerOptions o, Router r) : options(std::move(o)), router(std::move(r)) {}

  void request_finished() {
    if (in_flight.fetch_sub(1) == 1 && draining.load()) {
      std::lock_guard lock(drain_mu);
      drain_cv.notify_all();
    }
  }

  void do_accept(Loop& loop);
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server, Loop& loop)
      : stream_(std::move(socket)), server_(server), loop_(loop) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = ep.address().to_string();
    server_.metrics.connections->Increment();
  }
  ~Session() { server_.metrics.connections->Decrement(); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start() { wait_for_request(server_.options.header_timeout); }

  // Closes the connection unless a request is being read or handled.
  void close_if_idle() {
    if (busy_) return;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  void complete(const Response& response) { finish(response); }

 private:
  // Waits for the first byte of a request; the header timeout starts when it arrives,
  // so a keep-alive connection may idle longer than a slow client may dribble.
  void wait_for_request(std::chrono::milliseconds timeout) {
    if (server_.draining.load()) return close();
    if (buffer_.size() > 0) return read_header();
    stream_.expires_after(timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  void read_header() {
    busy_ = true;
    started_ = Clock::now();
    // In flight from its first byte, so that a drain waits for a request whose header
    // or body is still arriving.
    server_.in_flight.fetch_add(1);
    counted_ = true;
    server_.metrics.in_flight->Increment();
    in_flight_gauge_ = true;
    parser_.emplace();
    parser_->header_limit(server_.options.max_header_bytes);
    parser_->body_limit(server_.options.max_body_bytes);
    stream_.expires_after(server_.options.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    auto& msg = parser_->get();
    auto cl = parser_->content_length();
    if (cl && *cl > server_.options.max_body_bytes) {
      return reject(413,
                    "request body larger than " + std::to_string(server_.options.max_body_bytes) + " bytes",
                    "PAYLOAD_TOO_LARGE");
    }
    if (parser_->is_done()) return handle();
    if (beast::iequals(msg[bhttp::field::expect], "100-continue")) {
      // Clients like curl wait for this before sending a large body.
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, msg.version());
      stream_.expires_after(server_.options.write_timeout);
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                           if (wec) return self->close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(server_.options.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->on_read_error(ec);
                        self->handle();
                      });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof) {
      // Timeouts cut slow clients off without an answer: they are not reading one.
      if (ec == beast::error::timeout) server_.metrics.rejected->Increment();
      return close();
    }
    if (ec == bhttp::error::body_limit) {
      return reject(413,
                    "request body larger than " + std::to_string(server_.options.max_body_bytes) + " bytes",
                    "PAYLOAD_TOO_LARGE");
    }
    if (ec == bhttp::error::header_limit) {
      return reject(431, "request header fields too large", "HEADER_TOO_LARGE");
    }
    reject(400, "malformed HTTP request: " + ec.message(), "BAD_REQUEST");
  }

  // Answers an unreadable request and closes the connection afterwards.
  void reject(unsigned status, const std::string& message, std::string_view code) {
    keep_alive_ = false;
    request_ = Request{};
    cors_origin_.clear();
    request_.method = "-";
    request_.path = "-";
    request_.request_id = generate_request_id();
    route_index_ = -1;
    write(Response::json_error(status, message, code));
  }

  void handle() {
    auto msg = parser_->release();
    parser_.reset();

    request_ = Request{};
    cors_origin_.clear();
    auto method = msg.method_string();
    request_.method.assign(method.data(), method.size());
    auto target = msg.target();
    request_.target.assign(target.data(), target.size());
    auto q = request_.target.find('?');
    request_.path = request_.target.substr(0, q);
    if (q != std::string::npos) request_.query = request_.target.substr(q + 1);
    request_.headers.reserve(8);
    for (const auto& f : msg) {
      request_.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    request_.body = std::move(msg.body());
    request_.remote = remote_;
    auto rid = msg["X-Request-Id"];
    std::string_view rid_view(rid.data(), rid.size());
    request_.request_id = is_acceptable_request_id(rid_view) ? std::string(rid_view) : generate_request_id();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();

    const Route* route = server_.router.find(request_.path);
    route_index_ = server_.router.index_of(route);
    if (UpgradeHandler* up = server_.upgrade_for(request_.path);
        up != nullptr && beast::iequals(msg[bhttp::field::upgrade], "websocket")) {
      return hand_over(*up);
    }
    if (route == nullptr) {
      return write(Response::json_error(404, "no such endpoint: " + request_.path, "NOT_FOUND"));
    }
    cors_origin_ = allowed_origin(request_.header("Origin"));
    if (request_.method == "OPTIONS" && !request_.header("Access-Control-Request-Method").empty()) {
      return write(preflight(*route));
    }
    if (!Router::allows(*route, request_.method)) {
      auto r = Response::json_error(405, "method " + request_.method + " is not allowed on " + request_.path,
                                    "METHOD_NOT_ALLOWED");
      r.headers.emplace_back("Allow", Router::allow_header(*route));
      return write(r);
    }
    if (request_.method == "HEAD") {
      request_.head_only = true;
    }
    try {
      if (route->sync) return write(route->sync(request_));
      struct Sink final : Completion::Sink {
        std::shared_ptr<Session> session;
        explicit Sink(std::shared_ptr<Session> s) : session(std::move(s)) {}
        void complete(Response response) override {
          auto s = std::move(session);
          auto& ioc = s->loop_.ioc;
          asio::post(ioc, [s, r = std::move(response)] { s->complete(r); });
        }
      };
      Request copy = request_;
      route->async(std::move(copy), Completion(std::make_shared<Sink>(shared_from_this())));
    } catch (const std::exception& ex) {
      spdlog::error("handler for {} threw: {}", request_.path, ex.what());
      write(Response::json_error(500, "internal error", "INTERNAL"));
    }
  }

  void finish(const Response& response) { write(response); }

  // Gives the socket to the upgrade handler; this session ends when handle() returns.
  void hand_over(UpgradeHandler& handler) {
    if (server_.draining.load()) {
      keep_alive_ = false;
      return write(Response::json_error(503, "the server is shutting down", "UNAVAILABLE"));
    }
    status_ = 101;
    record();
    busy_ = false;
    beast::error_code ec;
    auto& sock = stream_.socket();
    const bool v6 = sock.local_endpoint(ec).address().is_v6();
    int fd = ec ? -1 : sock.release(ec);
    if (ec) {
      spdlog::warn("upgrade of {} failed: {}", request_.path, ec.message());
      return close();
    }
    // Bytes after the request stay unread: a WebSocket client waits for the 101 first.
    UpgradedConnection connection{&loop_.ioc, fd, v6, std::move(request_)};
    try {
      handler.accept(std::move(connection));
    } catch (const std::exception& ex) {
      spdlog::error("upgrade handler threw: {}", ex.what());
    }
  }

  // The answer is formatted into one reused buffer and sent with one write: Beast's
  // serializer walks a chain of buffer views per response, a fifth of the CPU under load.
  void write(const Response& response) {
    if (server_.draining.load()) keep_alive_ = false;
    status_ = response.status;
    bytes_out_ = response.body.size();
    const bool http10 = version_ == 10;
    auto reason = bhttp::obsolete_reason(bhttp::int_to_status(response.status));
    std::string& out = out_;
    out.clear();
    out += http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(response.status);
    out += ' ';
    out.append(reason.data(), reason.size());
    out += "\r\nServer: fraiseql\r\nDate: ";
    out += http_date();
    append_header(out, "Content-Type", response.content_type);
    append_header(out, "X-Request-Id", request_.request_id);
    for (const auto& [k, v] : response.headers) append_header(out, k, v);
    if (!cors_origin_.empty()) append_cors(out);
    append_header(out, "Content-Length", std::to_string(response.body.size()));
    if (!keep_alive_ && !http10) append_header(out, "Connection", "close");
    if (keep_alive_ && http10) append_header(out, "Connection", "keep-alive");
    out += "\r\n\r\n";
    if (!request_.head_only) out += response.body;
    stream_.expires_after(server_.options.write_timeout);
    asio::async_write(
        stream_, asio::buffer(out_),
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); });
  }

  // The value for Access-Control-Allow-Origin when `origin` may read answers, else empty.
  [[nodiscard]] std::string allowed_origin(std::string_view origin) const {
    const auto& cors = server_.options.cors;
    if (origin.empty() || cors.allowed_origins.empty()) return {};
    for (const auto& allowed : cors.allowed_origins) {
      if (allowed == "*") return cors.allow_credentials ? std::string(origin) : "*";
      if (allowed == origin) return allowed;
    }
    return {};
  }

  // A browser asking whether it may send the real request: 204 with what is allowed,
  // or 403 when the origin is not on the list.
  Response preflight(const Route& route) {
    if (cors_origin_.empty()) {
      return Response::json_error(403, "origin not allowed", "CORS_ORIGIN_NOT_ALLOWED");
    }
    Response r;
    r.status = 204;
    r.content_type = "text/plain";
    r.headers.emplace_back("Access-Control-Allow-Methods", Router::allow_header(route) + ", OPTIONS");
    r.headers.emplace_back("Access-Control-Allow-Headers", server_.options.cors.allowed_headers);
    r.headers.emplace_back("Access-Control-Max-Age", std::to_string(server_.options.cors.max_age.count()));
    return r;
  }

  void append_cors(std::string& out) const {
    append_header(out, "Access-Control-Allow-Origin", cors_origin_);
    append_header(out, "Vary", "Origin");
    if (server_.options.cors.allow_credentials)
      append_header(out, "Access-Control-Allow-Credentials", "true");
    append_header(out, "Access-Control-Expose-Headers", "X-Request-Id, Retry-After, ETag");
  }

  static void append_header(std::string& out, std::string_view name, std::string_view value) {
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
  }

  void on_written(beast::error_code ec) {
    record();
    busy_ = false;
    if (ec) return close();
    if (!keep_alive_) return graceful_close();
    wait_for_request(server_.options.idle_timeout);
  }

  void record() {
    auto elapsed = Clock::now() - started_;
    double secs = std::chrono::duration<double>(elapsed).count();
    auto& routes = server_.router.routes();
    int idx = route_index_;
    const std::string unmatched = "unmatched";
    const std::string& label = idx >= 0 ? routes[static_cast<std::size_t>(idx)].path : unmatched;
    std::string method = idx >= 0 ? request_.method : std::string("-");
    auto key = std::make_tuple(idx, method, status_);
    auto it = loop_.counters.find(key);
    prometheus::Counter* c = nullptr;
    if (it != loop_.counters.end()) {
      c = it->second;
    } else {
      c = &server_.metrics.counter(idx, label, method, status_);
      loop_.counters.emplace(key, c);
    }
    c->Increment();
    auto hidx = idx >= 0 ? static_cast<std::size_t>(idx) : server_.metrics.route_duration.size() - 1;
    server_.metrics.route_duration[hidx]->Observe(secs);
    if (in_flight_gauge_) {
      server_.metrics.in_flight->Decrement();
      in_flight_gauge_ = false;
    }
    if (server_.options.access_log) {
      log::access({request_.request_id, request_.method, request_.path, remote_, status_,
                   std::chrono::duration_cast<std::chrono::microseconds>(elapsed), bytes_out_});
    }
    if (counted_) {
      counted_ = false;
      server_.request_finished();
    }
  }

  // Half-closes and drains briefly so the client reads our answer before the close.
  void graceful_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(1));
    drain_.resize(4096);
    stream_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](beast::error_code rec, std::size_t) {
                              if (rec) return self->close();
                              self->graceful_close_more();
                            });
  }
  void graceful_close_more() {
    stream_.async_read_some(asio::buffer(drain_),
                            [self = shared_from_this()](beast::error_code rec, std::size_t) {
                              if (rec) return self->close();
                              self->graceful_close_more();
                            });
  }

  void close() {
    if (in_flight_gauge_) {
      server_.metrics.in_flight->Decrement();
      in_flight_gauge_ = false;
    }
    if (counted_) {
      counted_ = false;
      server_.request_finished();
    }
    busy_ = false;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string out_;          // the answer being written
  std::string cors_origin_;  // Access-Control-Allow-Origin for this request; empty: none
  Server::Impl& server_;
  Loop& loop_;
  Request request_;
  std::string remote_;
  std::vector<char> drain_;
  Clock::time_point started_;
  int route_index_ = -1;
  unsigned status_ = 0;
  unsigned version_ = 11;
  std::size_t bytes_out_ = 0;
  bool keep_alive_ = true;
  bool busy_ = false;
  bool counted_ = false;
  bool in_flight_gauge_ = false;
};

}  // namespace

void Server::Impl::do_accept(Loop& loop) {
  loop.acceptor->async_accept(loop.ioc, [this, &loop](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !loop.acceptor->is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      auto s = std::make_shared<Session>(std::move(socket), *this, loop);
      // Forget closed sessions now and then so the list stays the size of the live set.
      if (loop.sessions.size() > 64 && loop.sessions.size() % 64 == 0) {
        std::erase_if(loop.sessions, [](const auto& w) { return w.expired(); });
      }
      loop.sessions.push_back(s);
      s->start();
    }
    if (loop.acceptor->is_open()) do_accept(loop);
  });
}

Server::Server(ServerOptions options, Router router, metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {
  auto& prom = registry.prom();
  auto& m = impl_->metrics;
  m.requests = &prometheus::BuildCounter()
                    .Name("fraiseql_http_requests_total")
                    .Help("HTTP requests answered, by route, method and status.")
                    .Register(prom);
  m.duration = &prometheus::BuildHistogram()
                    .Name("fraiseql_http_request_duration_seconds")
                    .Help("Time from the first byte of a request to the last byte of its answer.")
                    .Register(prom);
  for (const auto& r : impl_->router.routes()) {
    m.route_duration.push_back(&m.duration->Add({{"route", r.path}}, metrics::latency_buckets()));
  }
  m.route_duration.push_back(&m.duration->Add({{"route", "unmatched"}}, metrics::latency_buckets()));
  m.in_flight = &prometheus::BuildGauge()
                     .Name("fraiseql_http_requests_in_flight")
                     .Help("HTTP requests being read, handled or answered now.")
                     .Register(prom)
                     .Add({});
  m.connections = &prometheus::BuildGauge()
                       .Name("fraiseql_http_connections")
                       .Help("Open HTTP client connections.")
                       .Register(prom)
                       .Add({});
  m.rejected = &prometheus::BuildCounter()
                    .Name("fraiseql_http_timeouts_total")
                    .Help("Connections cut off because a request did not arrive in time.")
                    .Register(prom)
                    .Add({});
}

Server::~Server() {
  stop();
}

Result<void> Server::start() {
  auto& o = impl_->options;
  unsigned n = o.io_threads != 0 ? o.io_threads : std::max(1U, std::thread::hardware_concurrency());
  beast::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "server.host: not an IP address: " + o.host);
  std::uint16_t port = o.port;
  for (unsigned i = 0; i < n; ++i) {
    auto loop = std::make_unique<Loop>();
    loop->acceptor.emplace(loop->ioc);
    auto& acc = *loop->acceptor;
    tcp::endpoint ep(address, port);
    acc.open(ep.protocol(), ec);
    if (!ec) acc.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(acc.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        ec = beast::error_code(errno, boost::system::generic_category());
      }
    }
    if (!ec) acc.bind(ep, ec);
    if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return make_error(ErrorCode::kUnavailable,
                        "cannot listen on " + o.host + ":" + std::to_string(port) + ": " + ec.message());
    }
    // With port 0 the first listener picks the port and the others share it.
    if (port == 0) port = acc.local_endpoint().port();
    impl_->loops.push_back(std::move(loop));
  }
  impl_->port = port;
  for (auto& loop : impl_->loops) {
    impl_->do_accept(*loop);
    Loop* l = loop.get();
    l->thread = std::thread([l, &o = impl_->options, n = static_cast<unsigned>(impl_->loops.size())] {
      if (o.on_loop_start) o.on_loop_start(l->ioc, n);
      for (;;) {
        try {
          l->ioc.run();
          break;
        } catch (const std::exception& ex) {
          spdlog::error("event loop: unexpected exception: {}", ex.what());
        }
      }
      if (o.on_loop_stop) o.on_loop_stop(l->ioc);
    });
  }
  return {};
}

std::uint16_t Server::port() const noexcept {
  return impl_->port;
}

std::int64_t Server::in_flight() const noexcept {
  return impl_->in_flight.load();
}

void Server::upgrade(std::string path, std::shared_ptr<UpgradeHandler> handler) {
  impl_->upgrades.emplace_back(std::move(path), std::move(handler));
}

void Server::stop_accepting() {
  impl_->draining = true;
  for (auto& [path, handler] : impl_->upgrades) handler->shutdown();
  for (auto& loop : impl_->loops) {
    Loop* l = loop.get();
    asio::post(l->ioc, [l] {
      beast::error_code ec;
      if (l->acceptor) l->acceptor->close(ec);
      for (auto& w : l->sessions) {
        if (auto s = w.lock()) s->close_if_idle();
      }
    });
  }
}

bool Server::drain(std::chrono::milliseconds grace) {
  const auto deadline = Clock::now() + grace;
  std::unique_lock lock(impl_->drain_mu);
  for (;;) {
    // Upgraded connections do not signal the condition variable, hence the short waits.
    if (impl_->in_flight.load() == 0 && !impl_->upgraded_open()) return true;
    auto now = Clock::now();
    if (now >= deadline) return false;
    impl_->drain_cv.wait_for(lock, std::min<Clock::duration>(deadline - now, std::chrono::milliseconds(20)));
  }
}

void Server::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  for (auto& loop : impl_->loops) loop->ioc.stop();
  for (auto& loop : impl_->loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

}  // namespace fraiseql::http
