#include "raw_client.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <strings.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace fraiseql::e2e {
namespace {

using Clock = std::chrono::steady_clock;

int open_connection(std::uint16_t port, int* error) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = errno;
    return -1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    *error = errno;
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  *error = 0;
  return fd;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

RawClient::RawClient(std::uint16_t port) {
  int error = 0;
  fd_ = open_connection(port, &error);
  if (fd_ < 0) {
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(error));
  }
}

RawClient::~RawClient() {
  if (fd_ >= 0) ::close(fd_);
}

RawClient::RawClient(RawClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)), last_end_(other.last_end_) {}

RawClient& RawClient::operator=(RawClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
    last_end_ = other.last_end_;
  }
  return *this;
}

int RawClient::try_connect(std::uint16_t port) {
  int error = 0;
  int fd = open_connection(port, &error);
  if (fd >= 0) ::close(fd);
  return error;
}

bool RawClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawClient::send_slowly(std::string_view bytes, std::size_t chunk, std::chrono::milliseconds pause) {
  while (!bytes.empty()) {
    auto n = std::min(chunk, bytes.size());
    if (!send(bytes.substr(0, n))) return false;
    bytes.remove_prefix(n);
    if (!bytes.empty()) std::this_thread::sleep_for(pause);
  }
  return true;
}

bool RawClient::fill(Clock::time_point until) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) {
      last_end_ = ReadEnd::kTimeout;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) {
      last_end_ = ReadEnd::kTimeout;
      return false;
    }
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      last_end_ = ReadEnd::kClosed;
      return false;
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
}

std::optional<HttpResponse> RawClient::read_response(std::chrono::milliseconds deadline, bool head) {
  auto until = Clock::now() + deadline;
  std::size_t header_end = 0;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(until)) return std::nullopt;
  }
  HttpResponse res;
  std::string_view head_text(buffer_.data(), header_end);
  auto line_end = head_text.find("\r\n");
  std::string_view status_line = head_text.substr(0, line_end);
  // "HTTP/1.1 200 OK"
  auto sp1 = status_line.find(' ');
  if (sp1 == std::string_view::npos) throw std::runtime_error("bad status line: " + std::string(status_line));
  auto sp2 = status_line.find(' ', sp1 + 1);
  res.status = std::stoi(std::string(status_line.substr(sp1 + 1, sp2 - sp1 - 1)));
  if (sp2 != std::string_view::npos) res.reason = std::string(status_line.substr(sp2 + 1));
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view{} : head_text.substr(line_end + 2);
  while (!rest.empty()) {
    auto eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    res.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  buffer_.erase(0, header_end + 4);

  // Interim 1xx answers (100 Continue) come before the real one.
  if (res.status >= 100 && res.status < 200) return read_response(deadline, head);

  if (head || res.status == 204 || res.status == 304) return res;
  if (auto te = res.header("Transfer-Encoding"); te && iequals(*te, "chunked")) {
    for (;;) {
      std::size_t eol = 0;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill(until)) return std::nullopt;
      }
      std::size_t size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
      while (buffer_.size() < eol + 2 + size + 2) {
        if (!fill(until)) return std::nullopt;
      }
      res.body.append(buffer_, eol + 2, size);
      buffer_.erase(0, eol + 2 + size + 2);
      if (size == 0) return res;  // no trailers from the servers under test
    }
  }
  if (auto cl = res.header("Content-Length")) {
    std::size_t size = std::stoul(*cl);
    while (buffer_.size() < size) {
      if (!fill(until)) return std::nullopt;
    }
    res.body = buffer_.substr(0, size);
    buffer_.erase(0, size);
    return res;
  }
  // No length: the body runs to the close.
  while (fill(until)) {
  }
  if (last_end_ == ReadEnd::kTimeout) return std::nullopt;
  res.body = std::move(buffer_);
  buffer_.clear();
  last_end_ = ReadEnd::kResponse;
  return res;
}

bool RawClient::wait_closed(std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  while (fill(until)) {
  }
  return last_end_ == ReadEnd::kClosed;
}

std::string request_bytes(const std::string& method, const std::string& target,
                          const std::string& extra_headers, const std::string& body) {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& body) {
  std::string extra;
  for (const auto& [k, v] : headers) extra += k + ": " + v + "\r\n";
  RawClient client(port);
  if (!client.send(request_bytes(method, target, extra, body))) {
    throw std::runtime_error(method + " " + target + ": send failed");
  }
  auto res = client.read_response(10s, method == "HEAD");
  if (!res) {
    throw std::runtime_error(method + " " + target + ": no response (" +
                             (client.last_end() == ReadEnd::kClosed ? "closed" : "timed out") + ")");
  }
  return *res;
}

}  // namespace fraiseql::e2e
