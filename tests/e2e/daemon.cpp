#include "daemon.hpp"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <regex>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "test_env.hpp"

namespace fraiseql::e2e {

using Clock = std::chrono::steady_clock;

std::string daemon_path() {
  return FRAISEQL_DAEMON_PATH;
}

Env daemon_env() {
  Env env{
      {"DATABASE_URL", testing::service_env("PG_PRIMARY_URL")},
      {"PORT", "0"},
      {"FRAISEQL_SERVER_HOST", "127.0.0.1"},
      {"FRAISEQL_SERVER_IO_THREADS", "2"},
      {"FRAISEQL_DATABASE_HEALTH_INTERVAL", "100ms"},
      {"FRAISEQL_DATABASE_HEALTH_TIMEOUT", "2s"},
  };
  // Sanitizer builds read their options from the environment.
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) env[name] = v;  // NOLINT(concurrency-mt-unsafe)
  }
  return env;
}

Exit run_fraiseql(const std::vector<std::string>& args, const Env& env, std::chrono::milliseconds deadline) {
  ChildProcess child(daemon_path(), args, env);
  auto code = child.wait_exit(deadline);
  return {code.value_or(-1), child.out(), child.err()};
}

std::optional<double> metric_value(const std::string& exposition, std::string_view name,
                                   const std::vector<std::pair<std::string, std::string>>& labels) {
  std::size_t pos = 0;
  while (pos < exposition.size()) {
    auto eol = exposition.find('\n', pos);
    if (eol == std::string::npos) eol = exposition.size();
    std::string_view line(exposition.data() + pos, eol - pos);
    pos = eol + 1;
    if (line.substr(0, name.size()) != name || line.size() == name.size()) continue;
    char next = line[name.size()];
    if (next != '{' && next != ' ') continue;
    auto close = next == '{' ? line.find('}') : name.size();
    if (close == std::string_view::npos) continue;
    std::string_view label_text = line.substr(name.size(), close - name.size());
    bool all = true;
    for (const auto& [k, v] : labels) {
      if (label_text.find(k + "=\"" + v + "\"") == std::string_view::npos) all = false;
    }
    if (!all) continue;
    return std::stod(std::string(line.substr(close + 1)));
  }
  return std::nullopt;
}

Daemon::Daemon(const Env& env, const std::vector<std::string>& args)
    : child_(std::make_unique<ChildProcess>(daemon_path(), args, env)) {
  auto fail = [this](const std::string& why) {
    child_->signal(SIGKILL);
    child_->wait_exit(5s);
    throw std::runtime_error("fraiseql " + why + "; its log:\n" + child_->err());
  };
  // The daemon logs the port it bound, which is the only way to learn a PORT=0 choice.
  static const std::regex kListening(R"(listening on [^ ]*:([0-9]+))");
  auto until = Clock::now() + 15s;
  std::smatch m;
  for (;;) {
    std::string log = child_->err();
    if (std::regex_search(log, m, kListening)) {
      port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
      break;
    }
    if (!child_->running())
      fail("exited with code " + std::to_string(*child_->wait_exit(0s)) + " before listening");
    if (Clock::now() > until) fail("did not log its port in time");
    std::this_thread::sleep_for(10ms);
  }
  for (;;) {
    try {
      if (get("/health").status == 200) return;
    } catch (const std::exception&) {
      // not answering yet
    }
    if (!child_->running()) fail("exited before /health answered");
    if (Clock::now() > until) fail("did not answer /health in time");
    std::this_thread::sleep_for(10ms);
  }
}

Daemon::~Daemon() {
  if (::testing::Test::HasFailure()) {
    std::cerr << "---- fraiseql log (port " << port_ << ") ----\n" << child_->err() << "----\n";
  }
}

bool Daemon::wait_for_log(std::string_view needle, std::chrono::milliseconds deadline) const {
  auto until = Clock::now() + deadline;
  for (;;) {
    if (child_->err().find(needle) != std::string::npos) return true;
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(10ms);
  }
}

HttpResponse Daemon::get(const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers) {
  return http_request(port_, "GET", target, headers);
}

HttpResponse Daemon::wait_for_status(const std::string& target, int status,
                                     std::chrono::milliseconds deadline) {
  auto until = Clock::now() + deadline;
  for (;;) {
    HttpResponse res = get(target);
    if (res.status == status || Clock::now() > until) return res;
    std::this_thread::sleep_for(50ms);
  }
}

Env graphql_daemon_env() {
  // Idempotent, and other tests only read the view: once per process is enough.
  static const bool kCreated = [] {
    std::string cmd =
        "\"" + testing::service_env("SERVICES_SCRIPT") + "\" psql \"" + testing::service_env("SERVICES_DIR") +
        "\" primary -q -c \"CREATE OR REPLACE VIEW v_user AS SELECT id, jsonb_build_object('id', id, "
        "'name', 'user ' || id) AS data FROM (VALUES ('1'), ('2')) AS t(id)\" >/dev/null";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot create v_user: " + cmd);
    return true;
  }();
  (void)kCreated;
  Env env = daemon_env();
  env["FRAISEQL_SCHEMA_PATH"] = std::string(FRAISEQL_SOURCE_DIR) + "/tests/e2e/schema.graphql";
  return env;
}

}  // namespace fraiseql::e2e
