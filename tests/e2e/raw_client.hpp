#pragma once
// A deliberately dumb HTTP/1.1 client on plain POSIX sockets: it sends whatever bytes a
// test gives it, as slowly as asked, so tests can speak malformed or partial HTTP.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fraiseql::e2e {

using namespace std::chrono_literals;

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// Case-insensitive lookup; nullopt when absent.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

/// What a read ended with, when it did not end with a whole response.
enum class ReadEnd { kResponse, kClosed, kTimeout };

class RawClient {
 public:
  /// Connects to 127.0.0.1:port; throws std::runtime_error when that fails.
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(RawClient&& other) noexcept;
  RawClient& operator=(RawClient&& other) noexcept;
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// 0 when a connection to 127.0.0.1:port is accepted, else the errno (ECONNREFUSED...).
  static int try_connect(std::uint16_t port);

  /// Sends every byte; false when the peer has gone.
  bool send(std::string_view bytes);
  /// Sends `bytes` in pieces of `chunk` bytes with `pause` between them; false when the
  /// peer has gone (which is the point when testing header timeouts).
  bool send_slowly(std::string_view bytes, std::size_t chunk, std::chrono::milliseconds pause);

  /// Reads one whole response (Content-Length or chunked body; none for HEAD). nullopt
  /// when the connection closes or `deadline` passes first; last_end() says which.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds deadline = 10s, bool head = false);

  /// Waits for the peer to close (EOF or reset). Bytes received meanwhile are kept in
  /// pending(). False when `deadline` passes with the connection still open.
  bool wait_closed(std::chrono::milliseconds deadline = 10s);

  [[nodiscard]] ReadEnd last_end() const noexcept { return last_end_; }
  /// Bytes received but not consumed by a response.
  [[nodiscard]] const std::string& pending() const noexcept { return buffer_; }

 private:
  // Reads more into buffer_; false on close or deadline (last_end_ says which).
  bool fill(std::chrono::steady_clock::time_point until);

  int fd_ = -1;
  std::string buffer_;
  ReadEnd last_end_ = ReadEnd::kResponse;
};

/// One request on a fresh connection, answer read whole; throws when none arrives.
HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers = {},
                          const std::string& body = {});

/// "GET <target> HTTP/1.1" with Host and the given extra header lines, ready to send.
std::string request_bytes(const std::string& method, const std::string& target,
                          const std::string& extra_headers = {}, const std::string& body = {});

}  // namespace fraiseql::e2e
