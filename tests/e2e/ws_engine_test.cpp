// The WebSocket endpoint on an in-process http::Server whose data source holds every
// operation until the test lets it finish: what happens while operations are in flight
// (duplicate ids, cancellation, the per-connection limit, the drain).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fraiseql/exec/engine.hpp"
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/http/server.hpp"
#include "fraiseql/metrics/registry.hpp"
#include "fraiseql/ws/endpoint.hpp"

#include "ws_client.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;

// Answers nothing until release().
class HeldSource final : public exec::DataSource {
 public:
  void execute(exec::ReadyOperation, exec::Done done) override {
    std::lock_guard lock(mu_);
    held_.push_back(std::move(done));
    cv_.notify_all();
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return held_.size() >= n; });
  }
  void release() {
    std::vector<exec::Done> done;
    {
      std::lock_guard lock(mu_);
      done.swap(held_);
    }
    // From another thread, as a database executor would.
    std::thread([done = std::move(done)] {
      for (const auto& d : done) d({exec::Outcome::kExecuted, R"({"data":{"users":[]}})"});
    }).join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<exec::Done> held_;
};

constexpr const char* kSchema = R"(
type User @view(name: "v_user") { id: ID! }
type Query { users: [User!]! }
)";

json subscribe(std::string_view id, std::string_view query = "{ users { id } }") {
  return {{"type", "subscribe"}, {"id", id}, {"payload", {{"query", query}}}};
}

class WsEngineTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(ws::Options options) {
    server_.reset();
    auto built = graphql::build_schema(kSchema, "test.graphql");
    ASSERT_TRUE(built.ok());
    source_ = std::make_shared<HeldSource>();
    engine_ = std::make_unique<exec::Engine>(built.schema(), exec::EngineOptions{}, source_);
    http::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.io_threads = 1;
    o.access_log = false;
    server_ = std::make_unique<http::Server>(o, http::Router{}, registry_);
    server_->upgrade("/graphql", std::make_shared<ws::Endpoint>(*engine_, options, registry_));
    ASSERT_TRUE(server_->start().ok());
  }

  void TearDown() override {
    source_->release();
    server_.reset();
  }

  metrics::Registry registry_;
  std::shared_ptr<HeldSource> source_;
  std::unique_ptr<exec::Engine> engine_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(WsEngineTest, DuplicateIdOfAnOperationInFlightCloses4409) {
  auto client = acknowledged_client(server_->port());
  client->send_json(subscribe("a"));
  ASSERT_TRUE(source_->wait_for(1));
  client->send_json(subscribe("a"));
  EXPECT_EQ(client->read_until_closed(), 0U);
  EXPECT_EQ(client->close_code(), 4409);
  EXPECT_EQ(client->close_reason(), "Subscriber for a already exists");
}

TEST_F(WsEngineTest, ALongDuplicateIdIsCutToTheCloseFrameLimit) {
  const std::string id(200, 'x');
  auto client = acknowledged_client(server_->port());
  client->send_json(subscribe(id));
  ASSERT_TRUE(source_->wait_for(1));
  client->send_json(subscribe(id));
  client->read_until_closed();
  EXPECT_EQ(client->close_code(), 4409);
  EXPECT_EQ(client->close_reason(), ("Subscriber for " + id).substr(0, 123));
}

TEST_F(WsEngineTest, CompleteFromTheClientCancelsTheOperation) {
  auto client = acknowledged_client(server_->port());
  client->send_json(subscribe("a"));
  ASSERT_TRUE(source_->wait_for(1));
  client->send(R"({"type":"complete","id":"a"})");
  // The id is free again at once.
  client->send_json(subscribe("a", "{ __typename }"));
  EXPECT_EQ(client->read_json(),
            json::parse(R"({"type":"next","id":"a","payload":{"data":{"__typename":"Query"}}})"));
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"complete","id":"a"})"));
  source_->release();  // the cancelled run's result is dropped
  client->send(R"({"type":"ping"})");
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"pong"})"));
}

TEST_F(WsEngineTest, OperationsInFlightPerConnectionAreLimited) {
  ws::Options o;
  o.max_operations = 2;
  start(o);
  auto client = acknowledged_client(server_->port());
  client->send_json(subscribe("a"));
  client->send_json(subscribe("b"));
  ASSERT_TRUE(source_->wait_for(2));
  client->send_json(subscribe("c"));
  auto error = client->read_json();
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["id"], "c");
  EXPECT_EQ(error["payload"][0]["extensions"]["code"], "TOO_MANY_OPERATIONS") << error;
  source_->release();
  for (int i = 0; i < 4; ++i) client->read_json();  // next + complete for a and b
  client->send_json(subscribe("c", "{ __typename }"));
  EXPECT_EQ(client->read_json()["type"], "next");
}

TEST_F(WsEngineTest, DrainClosesWith1001AfterTheOperationsInFlight) {
  auto client = acknowledged_client(server_->port());
  client->send_json(subscribe("a"));
  ASSERT_TRUE(source_->wait_for(1));
  server_->stop_accepting();
  // The held operation keeps the connection open: the drain cannot finish.
  EXPECT_FALSE(server_->drain(std::chrono::milliseconds(200)));
  client->send_json(subscribe("late", "{ __typename }"));
  auto refused = client->read_json();
  EXPECT_EQ(refused["type"], "error");
  EXPECT_EQ(refused["payload"][0]["message"], "The server is shutting down") << refused;
  source_->release();
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"next","id":"a","payload":{"data":{"users":[]}}})"));
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"complete","id":"a"})"));
  EXPECT_EQ(client->read_until_closed(), 0U);
  EXPECT_EQ(client->close_code(), 1001);
  EXPECT_TRUE(server_->drain(std::chrono::seconds(10)));
}

}  // namespace
}  // namespace fraiseql::e2e
