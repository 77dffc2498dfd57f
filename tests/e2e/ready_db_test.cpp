// /ready follows the primary: 503 naming it while PostgreSQL is stopped, 200 again
// after it restarts, without restarting the daemon. Stops the shared fixture primary,
// so CTest runs it alone (RUN_SERIAL).

#include <cstdlib>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"
#include "test_env.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;

// `services.sh COMMAND DIR ARGS`; its exit status.
int services(const std::string& command, const std::string& args = {}) {
  std::string cmd = "bash '" + testing::service_env("SERVICES_SCRIPT") + "' " + command + " '" +
                    testing::service_env("SERVICES_DIR") + "' " + args;
  int status = std::system(cmd.c_str());  // NOLINT(concurrency-mt-unsafe)
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Stops the primary; whatever happens to the test, starts it again and waits for the
// replica to stream, so later tests find the fixture as it was.
class StoppedPrimary {
 public:
  StoppedPrimary() { stopped_ = services("pg-stop", "primary") == 0; }
  ~StoppedPrimary() { start(); }
  StoppedPrimary(const StoppedPrimary&) = delete;
  StoppedPrimary& operator=(const StoppedPrimary&) = delete;

  [[nodiscard]] bool stopped() const { return stopped_; }
  bool start() {
    if (!stopped_) return true;
    stopped_ = false;
    return services("pg-start", "primary") == 0 && services("wait-streaming") == 0;
  }

 private:
  bool stopped_ = false;
};

TEST(ReadyDbTest, ReadyFollowsThePrimary) {
  Daemon daemon;
  auto res = daemon.wait_for_status("/ready", 200);
  ASSERT_EQ(res.status, 200) << res.body;

  StoppedPrimary primary;
  ASSERT_TRUE(primary.stopped());
  res = daemon.wait_for_status("/ready", 503, 30s);
  ASSERT_EQ(res.status, 503) << res.body;
  auto j = json::parse(res.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << res.body;
  EXPECT_EQ(j.value("status", ""), "not_ready");
  EXPECT_EQ(j["down"], json::array({"primary"})) << res.body;
  EXPECT_EQ(j["checks"]["primary"].value("status", ""), "down") << res.body;
  EXPECT_FALSE(j["checks"]["primary"].value("error", "").empty()) << res.body;
  // Liveness does not depend on the database.
  EXPECT_EQ(daemon.get("/health").status, 200);
  EXPECT_TRUE(daemon.wait_for_log("database primary is down")) << daemon.log();

  ASSERT_TRUE(primary.start());
  res = daemon.wait_for_status("/ready", 200, 60s);
  EXPECT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body, nullptr, false)["down"], json::array()) << res.body;
  EXPECT_TRUE(daemon.process().running());
}

}  // namespace
}  // namespace fraiseql::e2e
