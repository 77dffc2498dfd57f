// Two engines, each with its own response cache, sharing the fixture's Redis, as two
// daemon processes do: a mutation through one drops the other's in-process entries.
// The data sources are stand-ins that count what reaches them.
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "fraiseql/cache/cache.hpp"
#include "fraiseql/exec/engine.hpp"
#include "fraiseql/graphql/schema_builder.hpp"

#include "test_env.hpp"

namespace fraiseql::exec {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kSdl = R"(
type Post @view(name: "v_post") @cached(ttl: 60) { id: ID! title: String! }
type Query { posts: [Post!]! }
type Mutation {
  createPost(title: String!): Post @function(name: "fn_create_post", invalidates: ["Post"])
}
)";

class CountingSource : public DataSource {
 public:
  void execute(ReadyOperation /*op*/, Done done) override {
    const int n = ++calls;
    done({Outcome::kExecuted, R"({"data":{"n":)" + std::to_string(n) + "}}"});
  }
  std::atomic<int> calls{0};
};

struct Instance {
  explicit Instance(const std::string& prefix) {
    cache::CacheOptions options;
    options.redis_url = testing::service_env("REDIS_URL");
    options.key_prefix = prefix;
    cache = std::make_shared<cache::Cache>(options);
    cache->start();
    auto built = graphql::build_schema(kSdl, "redistest.graphql");
    if (!built.ok()) throw std::runtime_error(built.error_text());
    EngineOptions engine_options;
    engine_options.response_cache.cache = cache;
    engine = std::make_unique<Engine>(built.schema(), engine_options, source);
  }

  OperationResponse run(const std::string& text) {
    struct Answer {
      std::mutex mu;
      std::condition_variable cv;
      std::optional<OperationResponse> r;
    };
    auto answer = std::make_shared<Answer>();
    OperationRequest request;
    request.query = text;
    engine->execute(std::move(request), [answer](OperationResponse r) {
      std::lock_guard lock(answer->mu);
      answer->r = std::move(r);
      answer->cv.notify_all();
    });
    std::unique_lock lock(answer->mu);
    if (!answer->cv.wait_for(lock, 10s, [&] { return answer->r.has_value(); })) {
      throw std::runtime_error("no answer");
    }
    return *answer->r;
  }

  bool wait_connected() const {
    auto until = Clock::now() + 10s;
    while (!cache->redis_connected() && Clock::now() < until) std::this_thread::sleep_for(10ms);
    return cache->redis_connected();
  }

  std::shared_ptr<cache::Cache> cache;
  std::shared_ptr<CountingSource> source = std::make_shared<CountingSource>();
  std::unique_ptr<Engine> engine;
};

std::string unique_prefix(const char* test) {
  return std::string("fraiseql:exec-test:") + test + ":" +
         std::to_string(Clock::now().time_since_epoch().count()) + ":";
}

TEST(ResponseCacheRedisTest, AnotherInstanceIsServedFromRedis) {
  const auto prefix = unique_prefix("shared");
  Instance a(prefix);
  Instance b(prefix);
  ASSERT_TRUE(a.wait_connected());
  ASSERT_TRUE(b.wait_connected());
  auto first = a.run("{ posts { id } }");
  EXPECT_EQ(first.cache, CacheStatus::kMiss);
  // Redis takes the fill after a has answered: wait until the entry is there.
  const std::string scan = "redis-cli -h 127.0.0.1 -p " + testing::service_env("REDIS_PORT") +
                           " --scan --pattern '" + prefix + "e:*' | grep -q .";
  auto until = Clock::now() + 10s;
  while (std::system(scan.c_str()) != 0 && Clock::now() < until) std::this_thread::sleep_for(20ms);
  OperationResponse second = b.run("{ posts { id } }");
  EXPECT_EQ(second.cache, CacheStatus::kHitRedis);
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(second.etag, first.etag);
  EXPECT_EQ(b.source->calls, 0);
  EXPECT_EQ(b.run("{ posts { id } }").cache, CacheStatus::kHitLocal);
}

TEST(ResponseCacheRedisTest, AMutationThroughOneInstanceDropsTheOthersLocalEntries) {
  const auto prefix = unique_prefix("invalidate");
  Instance a(prefix);
  Instance b(prefix);
  ASSERT_TRUE(a.wait_connected());
  ASSERT_TRUE(b.wait_connected());
  b.run("{ posts { id } }");
  ASSERT_EQ(b.run("{ posts { id } }").cache, CacheStatus::kHitLocal);
  ASSERT_EQ(b.source->calls, 1);

  EXPECT_EQ(a.run("mutation { createPost(title: \"t\") { id } }").outcome, Outcome::kExecuted);
  // The bump reaches b by pub/sub; until then b may still serve its copy.
  auto until = Clock::now() + 10s;
  while (b.run("{ posts { id } }").cache == CacheStatus::kHitLocal && Clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(b.source->calls, 2);
  EXPECT_NE(b.run("{ posts { id } }").cache, CacheStatus::kMiss);  // and cached again
}

}  // namespace
}  // namespace fraiseql::exec
