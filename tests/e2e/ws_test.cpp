// GraphQL over WebSocket through the real daemon, spoken to by a real WebSocket client:
// both subprotocols, every close code the protocol defines, keep-alive both ways,
// backpressure and the 1001 close of a drain.
#include <csignal>
#include <cstdlib>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "daemon.hpp"
#include "ws_client.hpp"

namespace fraiseql::e2e {
namespace {

using nlohmann::json;

Env ws_env(const std::vector<std::pair<std::string, std::string>>& extra = {}) {
  Env env = graphql_daemon_env();
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

json subscribe(std::string_view id, std::string_view query) {
  return {{"type", "subscribe"}, {"id", id}, {"payload", {{"query", query}}}};
}

// The close code and reason a fresh graphql-transport-ws connection gets for `messages`.
std::pair<int, std::string> close_after(std::uint16_t port, const std::vector<std::string>& messages,
                                        bool init = false) {
  auto client = init ? acknowledged_client(port) : std::make_unique<WsClient>(port, "graphql-transport-ws");
  for (const auto& m : messages) client->send(m);
  client->read_until_closed();
  return {client->close_code(), client->close_reason()};
}

class WebSocketTest : public ::testing::Test {
 protected:
  Daemon daemon_{ws_env()};
};

TEST_F(WebSocketTest, QueryAndMutationRunThroughExec) {
  auto client = acknowledged_client(daemon_.port());
  EXPECT_EQ(client->subprotocol(), "graphql-transport-ws");

  client->send_json(subscribe("q1", "{ __typename }"));
  EXPECT_EQ(client->read_json(),
            json::parse(R"({"type":"next","id":"q1","payload":{"data":{"__typename":"Query"}}})"));
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"complete","id":"q1"})"));

  client->send_json(subscribe("m1", "mutation { __typename }"));
  EXPECT_EQ(client->read_json(),
            json::parse(R"({"type":"next","id":"m1","payload":{"data":{"__typename":"Mutation"}}})"));
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"complete","id":"m1"})"));

  // Variables and operationName reach exec.
  client->send_json(
      {{"type", "subscribe"},
       {"id", "v1"},
       {"payload",
        {{"query", "query A { a: __typename } query B($n: String!) { __type(name: $n) { name } }"},
         {"operationName", "B"},
         {"variables", {{"n", "User"}}}}}});
  EXPECT_EQ(client->read_json(),
            json::parse(R"({"type":"next","id":"v1","payload":{"data":{"__type":{"name":"User"}}}})"));
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"complete","id":"v1"})"));

  auto metrics = daemon_.get("/metrics").body;
  EXPECT_EQ(metric_value(metrics, "fraiseql_active_connections"), 1.0) << metrics;
  EXPECT_GE(metric_value(metrics, "fraiseql_ws_messages_total", {{"direction", "in"}}).value_or(0), 4.0);
  EXPECT_GE(metric_value(metrics, "fraiseql_ws_messages_total", {{"direction", "out"}}).value_or(0), 7.0);
}

TEST_F(WebSocketTest, RequestErrorsAreAnErrorMessageWithTheErrorsArray) {
  auto client = acknowledged_client(daemon_.port());
  client->send_json(subscribe("e1", "{ nope }"));
  auto error = client->read_json();
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["id"], "e1");
  ASSERT_TRUE(error["payload"].is_array()) << error;
  EXPECT_NE(error["payload"][0]["message"].get<std::string>().find("nope"), std::string::npos) << error;
  // The connection stays usable, and the id is free again.
  client->send_json(subscribe("e1", "{ __typename }"));
  EXPECT_EQ(client->read_json()["type"], "next");
  EXPECT_EQ(client->read_json()["type"], "complete");
}

TEST_F(WebSocketTest, PingIsAnsweredWithPongCarryingItsPayload) {
  auto client = std::make_unique<WsClient>(daemon_.port(), "graphql-transport-ws");
  // Allowed before connection_init.
  client->send(R"({"type":"ping","payload":{"at":1}})");
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"pong","payload":{"at":1}})"));
  client->send(R"({"type":"ping"})");
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"pong"})"));
  client->send(R"({"type":"pong"})");  // unsolicited pong: ignored
  client->send(R"({"type":"connection_init","payload":{}})");
  EXPECT_EQ(client->read_json(), json::parse(R"({"type":"connection_ack"})"));
}

TEST(WebSocket, ServerPingsAfterTheAckAndTheClientsPongKeepsItOpen) {
  Daemon daemon(ws_env({{"FRAISEQL_WS_PING_INTERVAL", "100ms"}}));
  auto client = acknowledged_client(daemon.port());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(client->read_json(), json::parse(R"({"type":"ping"})"));
    client->send(R"({"type":"pong"})");
  }
  client->send_json(subscribe("after", "{ __typename }"));
  json m;
  do {
    m = client->read_json();
  } while (m["type"] == "ping");
  EXPECT_EQ(m["type"], "next") << m;
}

TEST(WebSocket, NoInitWithinTheTimeoutCloses4408) {
  Daemon daemon(ws_env({{"FRAISEQL_WS_INIT_TIMEOUT", "200ms"}}));
  WsClient client(daemon.port(), "graphql-transport-ws");
  ASSERT_TRUE(client.upgraded());
  EXPECT_EQ(client.read_until_closed(), 0U);
  EXPECT_EQ(client.close_code(), 4408);
  EXPECT_EQ(client.close_reason(), "Connection initialisation timeout");
}

TEST_F(WebSocketTest, SecondInitCloses4429) {
  auto [code, reason] = close_after(daemon_.port(), {R"({"type":"connection_init"})"}, true);
  EXPECT_EQ(code, 4429);
  EXPECT_EQ(reason, "Too many initialisation requests");
}

TEST_F(WebSocketTest, SubscribeBeforeAckCloses4401) {
  auto [code, reason] = close_after(daemon_.port(), {subscribe("1", "{ __typename }").dump()});
  EXPECT_EQ(code, 4401);
  EXPECT_EQ(reason, "Unauthorized");
}

TEST_F(WebSocketTest, BadMessagesClose4400) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "Invalid message received"},
      {"[1,2]", "Invalid message received"},
      {R"({"id":"1"})", "Invalid message received"},
      {R"({"type":"whatever"})", "Unexpected message of type whatever received"},
      {R"({"type":"next","id":"1","payload":{}})", "Unexpected message of type next received"},
      {R"({"type":"subscribe","payload":{"query":"{ __typename }"}})", "Invalid message received"},
      {R"({"type":"subscribe","id":"","payload":{"query":"{ __typename }"}})", "Invalid message received"},
      {R"({"type":"subscribe","id":"1"})", "Invalid message received"},
      {R"({"type":"subscribe","id":"1","payload":{"query":7}})", "Invalid message received"},
      {R"({"type":"complete"})", "Invalid message received"},
      {R"({"type":"connection_init","payload":"x"})", "Invalid message received"},
  };
  for (const auto& [message, reason] : cases) {
    // After the ack, so that 4401 cannot come first.
    auto [code, got] = close_after(daemon_.port(), {message}, true);
    EXPECT_EQ(code, 4400) << message;
    EXPECT_EQ(got, reason) << message;
  }
}

TEST_F(WebSocketTest, NoKnownSubprotocolCloses4406) {
  for (const std::string offer : {"", "graphql-sse, mqtt"}) {
    WsClient client(daemon_.port(), offer);
    if (!client.upgraded()) continue;  // a client may refuse a 101 without its subprotocol
    EXPECT_EQ(client.subprotocol(), "") << offer;
    client.read_until_closed();
    EXPECT_EQ(client.close_code(), 4406) << offer;
    EXPECT_EQ(client.close_reason(), "Subprotocol not acceptable");
  }
  // Both offered: the current protocol wins.
  WsClient both(daemon_.port(), "graphql-ws, graphql-transport-ws");
  EXPECT_EQ(both.subprotocol(), "graphql-transport-ws");
}

TEST_F(WebSocketTest, LegacyProtocolStartDataCompleteAndKeepAlive) {
  WsClient client(daemon_.port(), "graphql-ws");
  ASSERT_TRUE(client.upgraded());
  EXPECT_EQ(client.subprotocol(), "graphql-ws");
  client.send(R"({"type":"connection_init","payload":{}})");
  EXPECT_EQ(client.read_json(), json::parse(R"({"type":"connection_ack"})"));
  EXPECT_EQ(client.read_json(), json::parse(R"({"type":"ka"})"));
  client.send(R"({"type":"start","id":"1","payload":{"query":"{ __typename }"}})");
  EXPECT_EQ(client.read_json(),
            json::parse(R"({"type":"data","id":"1","payload":{"data":{"__typename":"Query"}}})"));
  EXPECT_EQ(client.read_json(), json::parse(R"({"type":"complete","id":"1"})"));
  // Request errors come as data with errors, like subscriptions-transport-ws sends them.
  client.send(R"({"type":"start","id":"2","payload":{"query":"{ nope }"}})");
  auto data = client.read_json();
  EXPECT_EQ(data["type"], "data");
  EXPECT_TRUE(data["payload"]["errors"].is_array()) << data;
  EXPECT_EQ(client.read_json(), json::parse(R"({"type":"complete","id":"2"})"));
  client.send(R"({"type":"stop","id":"1"})");  // nothing running: ignored
  client.send(R"({"type":"bogus"})");
  EXPECT_EQ(client.read_json(),
            json::parse(R"({"type":"error","payload":{"message":"Invalid message type!"}})"));
  client.send(R"({"type":"connection_terminate"})");
  EXPECT_EQ(client.read_until_closed(), 0U);
  EXPECT_EQ(client.close_code(), 1000);
}

TEST_F(WebSocketTest, LegacyStartBeforeInitIsAnError) {
  WsClient client(daemon_.port(), "graphql-ws");
  client.send(R"({"type":"start","id":"1","payload":{"query":"{ __typename }"}})");
  EXPECT_EQ(client.read_json(),
            json::parse(R"({"type":"error","id":"1","payload":{"message":"Connection not initialised"}})"));
}

TEST(WebSocket, LegacyKeepAliveRepeats) {
  Daemon daemon(ws_env({{"FRAISEQL_WS_KEEP_ALIVE", "100ms"}}));
  WsClient client(daemon.port(), "graphql-ws");
  client.send(R"({"type":"connection_init"})");
  EXPECT_EQ(client.read_json()["type"], "connection_ack");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.read_json(), json::parse(R"({"type":"ka"})"));
}

TEST(WebSocket, OversizedMessageCloses1009) {
  Daemon daemon(ws_env({{"FRAISEQL_WS_MAX_MESSAGE_BYTES", "1024"}}));
  auto client = acknowledged_client(daemon.port());
  client->send_json(subscribe("big", "{ __typename " + std::string(2000, ' ') + "}"));
  client->read_until_closed();
  EXPECT_EQ(client->close_code(), 1009) << client->close_reason();
}

TEST(WebSocket, ConnectionsBeyondTheLimitAreRefusedWith503) {
  Daemon daemon(ws_env({{"FRAISEQL_WS_MAX_CONNECTIONS", "2"}}));
  auto a = acknowledged_client(daemon.port());
  auto b = acknowledged_client(daemon.port());
  WsClient c(daemon.port(), "graphql-transport-ws");
  EXPECT_FALSE(c.upgraded());
  auto refused = http_request(daemon.port(), "GET", "/graphql",
                              {{"Upgrade", "websocket"},
                               {"Connection", "Upgrade"},
                               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                               {"Sec-WebSocket-Version", "13"},
                               {"Sec-WebSocket-Protocol", "graphql-transport-ws"}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  auto metrics = daemon.get("/metrics").body;
  EXPECT_EQ(metric_value(metrics, "fraiseql_ws_connections_refused_total"), 2.0);
  // The slot frees when a connection ends.
  a.reset();
  for (int i = 0; i < 100; ++i) {
    WsClient d(daemon.port(), "graphql-transport-ws");
    if (d.upgraded()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "no connection accepted after one closed";
}

TEST(WebSocket, ASlowConsumerIsClosedWith1013) {
  Daemon daemon(ws_env({{"FRAISEQL_WS_MAX_QUEUED_BYTES", "262144"},
                        {"FRAISEQL_WS_MAX_QUEUED_MESSAGES", "64"},
                        {"FRAISEQL_WS_CLOSE_TIMEOUT", "30s"}}));
  auto client = std::make_unique<WsClient>(daemon.port(), "graphql-transport-ws", "/graphql", 4096);
  client->send(R"({"type":"connection_init"})");
  // Large answers, never read until the server has given up on this client.
  std::string query = "{";
  for (int i = 0; i < 20; ++i) {
    query += " s" + std::to_string(i) +
             ": __schema { types { name kind description fields { name description } } }";
  }
  query += " }";
  constexpr int kRequests = 400;
  int sent = 0;
  std::optional<double> closed;
  for (; sent < kRequests; ++sent) {
    client->send_json(subscribe("op" + std::to_string(sent), query));
    if (sent % 20 == 19) {
      closed = metric_value(daemon.get("/metrics").body, "fraiseql_ws_slow_consumers_closed_total");
      if (closed.value_or(0) >= 1) break;
    }
  }
  for (int i = 0; i < 200 && closed.value_or(0) < 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    closed = metric_value(daemon.get("/metrics").body, "fraiseql_ws_slow_consumers_closed_total");
  }
  ASSERT_EQ(closed, 1.0) << "the server kept queueing for a client that does not read";
  auto received = client->read_until_closed();
  EXPECT_EQ(client->close_code(), 1013);
  EXPECT_EQ(client->close_reason(), "Send queue full");
  EXPECT_LT(received, static_cast<std::size_t>(2 * sent + 1));  // ack + next/complete pairs
}

TEST(WebSocket, SigtermClosesSocketsWith1001AndTheDaemonExits) {
  Daemon daemon(ws_env());
  auto transport = acknowledged_client(daemon.port());
  WsClient legacy(daemon.port(), "graphql-ws");
  legacy.send(R"({"type":"connection_init"})");
  EXPECT_EQ(legacy.read_json()["type"], "connection_ack");
  daemon.signal(SIGTERM);
  transport->read_until_closed();
  EXPECT_EQ(transport->close_code(), 1001);
  EXPECT_EQ(transport->close_reason(), "Server shutting down");
  legacy.read_until_closed();
  EXPECT_EQ(legacy.close_code(), 1001);
  EXPECT_EQ(daemon.wait_exit(std::chrono::seconds(20)), 0);
}

// The graphql-ws library (what current Apollo and urql clients use) over the npm `ws`
// socket, pinned in tests/e2e/ws-client.
TEST_F(WebSocketTest, TheGraphqlWsClientLibraryRunsAQueryAndAMutation) {
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): nothing here sets it
  const char* home = std::getenv("HOME");  // NOLINT(concurrency-mt-unsafe)
  Env env{{"PATH", path != nullptr ? path : "/usr/bin:/bin"}, {"HOME", home != nullptr ? home : "/tmp"}};
  const std::string dir = std::string(FRAISEQL_SOURCE_DIR) + "/tests/e2e/ws-client";
  ChildProcess ensure("/bin/bash", {dir + "/ensure.sh"}, env);
  ASSERT_EQ(ensure.wait_exit(std::chrono::minutes(3)), 0) << ensure.err();
  ChildProcess node("/usr/bin/env", {"node", dir + "/client.mjs", std::to_string(daemon_.port())}, env);
  ASSERT_EQ(node.wait_exit(std::chrono::seconds(30)), 0) << node.err();
  auto out = json::parse(node.out());
  EXPECT_EQ(out["query"], json::parse(R"({"results":[{"data":{"__typename":"Query"}}]})"));
  EXPECT_EQ(out["mutation"], json::parse(R"({"results":[{"data":{"__typename":"Mutation"}}]})"));
  const auto& invalid = out["invalid"];
  ASSERT_TRUE(invalid["error"].is_array()) << invalid;
  EXPECT_NE(invalid["error"][0]["message"].get<std::string>().find("nope"), std::string::npos) << invalid;
  EXPECT_TRUE(invalid["results"].empty());
}

TEST_F(WebSocketTest, PlainHttpOnTheSamePathStillAnswers) {
  auto r = http_request(daemon_.port(), "POST", "/graphql", {{"Content-Type", "application/json"}},
                        R"({"query":"{ __typename }"})");
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace fraiseql::e2e
