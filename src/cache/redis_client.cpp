#include "redis_client.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

namespace fraiseql::cache {

namespace {

using std::chrono::milliseconds;

Reply copy_reply(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::kString; break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::kInteger; break;
    case REDIS_REPLY_ARRAY: out.type = Reply::Type::kArray; break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::kError; break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::kStatus; break;
    default: out.type = Reply::Type::kNil; break;
  }
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS) {
    out.str.assign(r->str, r->len);
  }
  out.integer = r->integer;
  if (r->type == REDIS_REPLY_ARRAY) {
    out.elements.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(copy_reply(r->element[i]));
  }
  return out;
}

// Sentinel ids for the subscriber connection's internal commands.
constexpr std::uintptr_t kSubscribeId = 0;

}  // namespace

Result<RedisEndpoint> parse_redis_url(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind(kScheme, 0) != 0)
    return make_error(ErrorCode::kInvalidArgument, "not a redis:// URL: " + url);
  std::string rest = url.substr(kScheme.size());
  RedisEndpoint ep;
  if (auto at = rest.rfind('@'); at != std::string::npos) {
    std::string auth = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = auth.find(':');
    ep.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
  }
  std::string path;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  ep.port = 6379;
  if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    try {
      ep.port = std::stoi(rest.substr(colon + 1));
    } catch (const std::exception&) {
      return make_error(ErrorCode::kInvalidArgument, "bad port in redis URL: " + url);
    }
    rest = rest.substr(0, colon);
  }
  ep.host = rest.empty() ? "127.0.0.1" : rest;
  if (!path.empty()) {
    try {
      ep.db = std::stoi(path);
    } catch (const std::exception&) {
      return make_error(ErrorCode::kInvalidArgument, "bad database number in redis URL: " + url);
    }
  }
  if (ep.port <= 0 || ep.port > 65535)
    return make_error(ErrorCode::kInvalidArgument, "bad port in redis URL: " + url);
  return ep;
}

RedisClient::RedisClient(RedisClientOptions options) : options_(std::move(options)) {
  cmd_.owner = this;
  sub_.owner = this;
  sub_.subscriber = true;
  cmd_.backoff = sub_.backoff = options_.backoff_min;
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

RedisClient::~RedisClient() {
  stop();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void RedisClient::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void RedisClient::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true);
  wake();
  thread_.join();
}

void RedisClient::wake() {
  std::uint64_t one = 1;
  // A full counter still wakes the loop, so a failed write needs no handling.
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void RedisClient::command(std::vector<std::string> args, Deadline deadline, Callback done) {
  {
    std::lock_guard lock(inbox_mu_);
    inbox_ops_.push_back(Op{std::move(args), deadline.at(), std::move(done)});
  }
  wake();
}

void RedisClient::schedule(Clock::time_point at, std::function<void()> fn) {
  {
    std::lock_guard lock(inbox_mu_);
    inbox_timers_.emplace_back(at, std::move(fn));
  }
  wake();
}

void RedisClient::drain_inbox() {
  std::vector<Op> ops;
  std::vector<std::pair<Clock::time_point, std::function<void()>>> timers;
  {
    std::lock_guard lock(inbox_mu_);
    ops.swap(inbox_ops_);
    timers.swap(inbox_timers_);
  }
  for (auto& [at, fn] : timers) timers_.emplace(at, std::move(fn));
  for (auto& op : ops) send(std::move(op));
}

void RedisClient::send(Op op) {
  if (Clock::now() >= op.deadline) {
    op.done(make_error(ErrorCode::kTimeout, "redis: deadline passed before the command was sent"));
    return;
  }
  if (!cmd_.connected || cmd_.ac == nullptr) {
    op.done(make_error(ErrorCode::kUnavailable, "redis: not connected"));
    return;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(op.args.size());
  lens.reserve(op.args.size());
  for (const auto& a : op.args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  std::uint64_t id = ++next_id_;
  auto by_deadline = deadlines_.emplace(op.deadline, id);
  in_flight_.emplace(id, InFlight{std::move(op.done), by_deadline});
  // NOLINTNEXTLINE(performance-no-int-to-ptr): the id travels through hiredis's void*.
  void* priv = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
  if (redisAsyncCommandArgv(cmd_.ac, &RedisClient::on_reply, priv, static_cast<int>(argv.size()), argv.data(),
                            lens.data()) != REDIS_OK) {
    finish(id, make_error(ErrorCode::kUnavailable, "redis: connection is closing"));
    return;
  }
  unanswered_.push_back(Clock::now());
}

void RedisClient::finish(std::uint64_t id, Result<Reply> result) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;  // already timed out: the late reply is dropped
  Callback done = std::move(it->second.done);
  deadlines_.erase(it->second.by_deadline);
  in_flight_.erase(it);
  done(std::move(result));
}

void RedisClient::expire(Clock::time_point now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    finish(deadlines_.begin()->second,
           make_error(ErrorCode::kTimeout, "redis: no reply before the deadline"));
  }
  while (!timers_.empty() && timers_.begin()->first <= now) {
    auto fn = std::move(timers_.begin()->second);
    timers_.erase(timers_.begin());
    fn();
  }
}

void RedisClient::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* c = static_cast<Conn*>(ac->data);
  auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(privdata));
  if (!c->owner->unanswered_.empty()) c->owner->unanswered_.pop_front();
  if (reply == nullptr) {
    c->owner->finish(id, make_error(ErrorCode::kUnavailable, "redis: connection lost"));
    return;
  }
  c->owner->finish(id, copy_reply(static_cast<redisReply*>(reply)));
}

void RedisClient::on_sub_reply(redisAsyncContext* ac, void* reply, void* /*privdata*/) {
  auto* c = static_cast<Conn*>(ac->data);
  if (reply == nullptr) return;
  const auto* r = static_cast<redisReply*>(reply);
  if (r->type != REDIS_REPLY_ARRAY || r->elements < 3 || r->element[0]->type != REDIS_REPLY_STRING) return;
  std::string_view kind(r->element[0]->str, r->element[0]->len);
  RedisClient& self = *c->owner;
  if (kind == "subscribe") {
    // Reported up only once the hook ran, so nobody sees "subscribed" before its effect.
    if (self.on_subscribed_) self.on_subscribed_();
    self.subscribed_.store(true);
  } else if (kind == "message" && r->element[2]->type == REDIS_REPLY_STRING) {
    if (self.on_message_) self.on_message_(std::string(r->element[2]->str, r->element[2]->len));
  }
}

void RedisClient::ev_add_read(void* data) {
  static_cast<Conn*>(data)->want_read = true;
}
void RedisClient::ev_del_read(void* data) {
  static_cast<Conn*>(data)->want_read = false;
}
void RedisClient::ev_add_write(void* data) {
  static_cast<Conn*>(data)->want_write = true;
}
void RedisClient::ev_del_write(void* data) {
  static_cast<Conn*>(data)->want_write = false;
}
void RedisClient::ev_cleanup(void* data) {
  // hiredis is freeing the context: whatever the reason, this connection is gone.
  auto* c = static_cast<Conn*>(data);
  c->owner->lost(*c);
}

void RedisClient::lost(Conn& c) {
  bool was_connected = c.connected;
  c.ac = nullptr;
  c.connected = false;
  c.want_read = c.want_write = false;
  c.next_attempt = Clock::now() + c.backoff;
  c.backoff = std::min(options_.backoff_max, c.backoff * 2);
  if (c.subscriber) {
    subscribed_.store(false);
  } else {
    connected_.store(false);
    unanswered_.clear();
  }
  if (was_connected && c.was_up && !stopping_.load()) {
    spdlog::warn("redis {}:{} connection lost ({}); the cache serves from its local tier until it is back",
                 options_.endpoint.host, options_.endpoint.port, c.subscriber ? "subscriber" : "commands");
    c.was_up = false;
  }
}

void RedisClient::on_connect(const redisAsyncContext* ac, int status) {
  auto* c = static_cast<Conn*>(ac->data);
  if (status != REDIS_OK) return;  // hiredis frees the context next; ev_cleanup schedules the retry
  RedisClient& self = *c->owner;
  c->connected = true;
  c->backoff = self.options_.backoff_min;
  if (!c->was_up) {
    spdlog::info("redis {}:{} connected ({})", self.options_.endpoint.host, self.options_.endpoint.port,
                 c->subscriber ? "subscriber" : "commands");
    c->was_up = true;
  }
  auto* mut = const_cast<redisAsyncContext*>(ac);  // NOLINT: hiredis hands a const pointer to a live context
  if (!self.options_.endpoint.password.empty()) {
    const char* argv[] = {"AUTH", self.options_.endpoint.password.c_str()};
    redisAsyncCommandArgv(mut, nullptr, nullptr, 2, static_cast<const char**>(argv), nullptr);
  }
  if (c->subscriber) {
    const char* argv[] = {"SUBSCRIBE", self.options_.channel.c_str()};
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    redisAsyncCommandArgv(mut, &RedisClient::on_sub_reply, reinterpret_cast<void*>(kSubscribeId), 2,
                          static_cast<const char**>(argv), nullptr);
  } else {
    if (self.options_.endpoint.db != 0) {
      std::string db = std::to_string(self.options_.endpoint.db);
      const char* argv[] = {"SELECT", db.c_str()};
      redisAsyncCommandArgv(mut, nullptr, nullptr, 2, static_cast<const char**>(argv), nullptr);
    }
    self.connected_.store(true);
  }
}

void RedisClient::on_disconnect(const redisAsyncContext* /*ac*/, int /*status*/) {
  // Nothing to do here: ev_cleanup, called just before, already marked the connection lost.
}

void RedisClient::connect(Conn& c, Clock::time_point now) {
  c.connect_started = now;
  redisAsyncContext* ac = redisAsyncConnect(options_.endpoint.host.c_str(), options_.endpoint.port);
  if (ac == nullptr || ac->err != 0) {
    if (ac != nullptr) redisAsyncFree(ac);
    c.next_attempt = now + c.backoff;
    c.backoff = std::min(options_.backoff_max, c.backoff * 2);
    return;
  }
  ac->data = &c;
  ac->ev.data = &c;
  ac->ev.addRead = &RedisClient::ev_add_read;
  ac->ev.delRead = &RedisClient::ev_del_read;
  ac->ev.addWrite = &RedisClient::ev_add_write;
  ac->ev.delWrite = &RedisClient::ev_del_write;
  ac->ev.cleanup = &RedisClient::ev_cleanup;
  c.ac = ac;
  // Must come after the event hooks: it asks for the write event that reports the connect.
  redisAsyncSetConnectCallback(ac, &RedisClient::on_connect);
  redisAsyncSetDisconnectCallback(ac, &RedisClient::on_disconnect);
}

void RedisClient::maintain(Conn& c, Clock::time_point now) {
  if (c.ac == nullptr) {
    if (now >= c.next_attempt) connect(c, now);
  } else if (!c.connected && now - c.connect_started >= options_.connect_timeout) {
    redisAsyncFree(c.ac);  // ev_cleanup marks it lost and schedules the next attempt
  } else if (!c.subscriber && !unanswered_.empty() && now - unanswered_.front() >= options_.connect_timeout) {
    // A server that accepts but never answers (stopped, or the path to it dead) would
    // keep this connection forever; a new one finds out whether it is really there.
    spdlog::warn("redis {}:{}: no reply for {} ms; reconnecting", options_.endpoint.host,
                 options_.endpoint.port, options_.connect_timeout.count());
    redisAsyncFree(c.ac);
  }
}

void RedisClient::handle_io(Conn& c, short revents) {
  if (c.ac != nullptr && (revents & (POLLIN | POLLHUP | POLLERR)) != 0 && (c.want_read || !c.connected)) {
    redisAsyncHandleRead(c.ac);
  }
  if (c.ac != nullptr && (revents & (POLLOUT | POLLHUP | POLLERR)) != 0 && c.want_write) {
    redisAsyncHandleWrite(c.ac);
  }
}

void RedisClient::run() {
  const bool redis = options_.endpoint.port != 0;
  while (!stopping_.load()) {
    drain_inbox();
    auto now = Clock::now();
    expire(now);
    if (redis) {
      maintain(cmd_, now);
      if (!options_.channel.empty()) maintain(sub_, now);
    }

    auto next = now + milliseconds(500);
    if (!deadlines_.empty()) next = std::min(next, deadlines_.begin()->first);
    if (!timers_.empty()) next = std::min(next, timers_.begin()->first);
    for (Conn* c : {&cmd_, &sub_}) {
      if (!redis || (c == &sub_ && options_.channel.empty())) continue;
      next =
          std::min(next, c->ac == nullptr ? c->next_attempt : c->connect_started + options_.connect_timeout);
    }
    auto wait = std::chrono::ceil<milliseconds>(next - Clock::now());
    int timeout = static_cast<int>(std::clamp<milliseconds::rep>(wait.count(), 0, 500));

    std::array<pollfd, 3> fds{};
    fds[0] = {wake_fd_, POLLIN, 0};
    nfds_t n = 1;
    std::array<Conn*, 3> owners{nullptr, nullptr, nullptr};
    for (Conn* c : {&cmd_, &sub_}) {
      if (c->ac == nullptr) continue;
      short events = 0;
      if (c->want_read) events |= POLLIN;
      if (c->want_write) events |= POLLOUT;
      fds[n] = {c->ac->c.fd, events, 0};
      owners[n] = c;
      ++n;
    }
    int ready = ::poll(fds.data(), n, timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      spdlog::error("cache loop: poll failed: errno {}", errno);
      continue;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      std::uint64_t v = 0;
      [[maybe_unused]] auto r = ::read(wake_fd_, &v, sizeof v);
    }
    for (nfds_t i = 1; i < n; ++i) {
      // The fd check skips a context freed and replaced during this round.
      if (fds[i].revents != 0 && owners[i]->ac != nullptr && owners[i]->ac->c.fd == fds[i].fd) {
        handle_io(*owners[i], fds[i].revents);
      }
    }
  }
  shutdown_loop();
}

void RedisClient::shutdown_loop() {
  drain_inbox();
  for (Conn* c : {&cmd_, &sub_}) {
    if (c->ac != nullptr) redisAsyncFree(c->ac);  // pending replies complete as lost
  }
  while (!in_flight_.empty()) {
    finish(in_flight_.begin()->first, make_error(ErrorCode::kUnavailable, "redis: cache stopping"));
  }
  // Timers and commands queued by the callbacks above still run once.
  for (int round = 0; round < 4; ++round) {
    drain_inbox();
    auto timers = std::move(timers_);
    timers_.clear();
    for (auto& [at, fn] : timers) fn();
  }
}

}  // namespace fraiseql::cache
