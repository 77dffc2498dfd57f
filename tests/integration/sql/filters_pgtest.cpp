// The network, ltree, range and full-text filter families against PostgreSQL: each
// operator's compiled answer compared with the same condition written by hand over the
// table, once with the view's real columns known (filters use them, full text uses the
// stored tsvector) and once with none (filters cast `data`'s text). Then a payload that
// would break out of a literal, through every new operator.

#include <gtest/gtest.h>

#include "blog_db.hpp"
#include "sql_test_util.hpp"

namespace fraiseql::sql {
namespace {

using nlohmann::json;
using pgtest::run_compiled;
using pgtest::run_sql;

constexpr const char* kFixture = R"sql(
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE TABLE tb_gadget (
  id          integer PRIMARY KEY,
  name        text NOT NULL,
  description text,
  ip          inet,
  network     cidr,
  path        ltree,
  sizes       int4range,
  days        daterange,
  period      tstzrange,
  codes       text[],
  description_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', coalesce(description, ''))) STORED
);
INSERT INTO tb_gadget (id, name, description, ip, network, path, sizes, days, period) VALUES
  (1, 'Alpha router', 'The quick brown fox jumps', '10.1.2.3', '10.0.0.0/8', 'Top.Science.Astronomy',
   '[1,10)', '[2024-01-01,2024-02-01)', '[2024-01-01 00:00:00+00,2024-01-02 00:00:00+00)'),
  (2, 'Beta switch', 'Lazy dogs sleeping all day', '192.168.1.20', '192.168.0.0/16', 'Top.Science.Physics',
   '[5,15)', '[2024-02-01,2024-03-01)', '[2024-01-01 12:00:00+00,2024-03-01 00:00:00+00)'),
  (3, 'Gamma', 'Foxes and dogs are friends', '8.8.8.8', '8.8.8.0/24', 'Top.Hobbies.Amateurs_Astronomy',
   'empty', '[2024-03-01,)', '[2024-07-01 00:00:00+00,)'),
  (4, 'Delta v6 router', NULL, '2001:db8::1', '2001:db8::/32', 'Top', '[20,30)', NULL, NULL),
  (5, 'Epsilon', 'quick thinking', '::1', 'fc00::/7', 'Top.Collections.Pictures.Astronomy', NULL,
   '[2023-12-01,2024-01-01)', '[2023-01-01 00:00:00+00,2023-06-01 00:00:00+00)'),
  (6, 'Zeta loop', 'a fox', '127.0.0.1', '172.16.0.0/12', NULL, '[10,20)', '[2024-01-10,2024-01-20)', NULL),
  (7, 'Eta', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE tb_gadget SET codes = CASE id WHEN 1 THEN ARRAY['a', 'b'] WHEN 2 THEN ARRAY['b', 'c', 'x"y']
                                     WHEN 3 THEN ARRAY[]::text[] WHEN 4 THEN ARRAY['a'] END;
CREATE VIEW v_gadget AS
SELECT id, name, ip, network, path, sizes, days, period, codes, description_tsv,
       jsonb_build_object('id', id, 'name', name, 'description', description, 'ip', ip, 'network', network,
                          'path', path, 'sizes', sizes, 'days', days, 'period', period, 'codes', codes) AS data
  FROM tb_gadget;
)sql";

constexpr const char* kSchema = R"graphql(
type Gadget @view(name: "v_gadget") {
  id: ID!
  name: String!
  description: String
  ip: IpAddress
  network: CIDR
  path: LTree
  sizes: IntRange
  days: DateRange
  period: DateTimeRange
  codes: [String!]
}
type Query { gadgets: [Gadget!]! }
)graphql";

class Environment : public ::testing::Environment {
 public:
  void SetUp() override {
    pgtest::create_blog_db();
    run_sql(kFixture);
  }
  void TearDown() override { pgtest::drop_blog_db(); }
};
// GoogleTest registers environments through a global initializer.
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new Environment);  // NOLINT(cert-err58-cpp)

FraiseqlSchema gadget_schema(bool columns) {
  MappingOptions o;
  o.text_search_config = "english";
  if (columns) {
    o.view_columns["v_gadget"] = {{"id", "integer"},     {"name", "text"},
                                  {"ip", "inet"},        {"network", "cidr"},
                                  {"path", "ltree"},     {"sizes", "int4range"},
                                  {"days", "daterange"}, {"period", "tstzrange"},
                                  {"codes", "text[]"},   {"description_tsv", "tsvector"}};
  }
  FraiseqlSchema s = build_fraiseql_schema(kSchema, "gadgets.graphql", o);
  for (const auto& e : s.errors) ADD_FAILURE() << e;
  return s;
}
const FraiseqlSchema& with_columns() {
  static const FraiseqlSchema kSchemaWith = gadget_schema(true);
  return kSchemaWith;
}
const FraiseqlSchema& without_columns() {
  static const FraiseqlSchema kSchemaWithout = gadget_schema(false);
  return kSchemaWithout;
}

json gql(const FraiseqlSchema& schema, const std::string& query, const json& variables = json::object()) {
  auto r = testing::compile_text(*schema.mapping, query, variables);
  for (const auto& e : r.errors) ADD_FAILURE() << "compile: " << e.message;
  if (!r.ok()) return nullptr;
  return json::parse(run_compiled(*r.query));
}

struct Case {
  const char* where;      // GraphQL literal
  const char* condition;  // the same over tb_gadget x
};

const Case kCases[] = {
    // Network
    {R"g({ip: {eq: "10.1.2.3"}})g", "x.ip = '10.1.2.3'"},
    {R"g({ip: {neq: "10.1.2.3"}})g", "x.ip <> '10.1.2.3'"},
    {R"g({ip: {in: ["10.1.2.3", "8.8.8.8", "1.1.1.1"]}})g", "x.ip IN ('10.1.2.3', '8.8.8.8')"},
    {R"g({ip: {nin: ["10.1.2.3", "::1"]}})g", "x.ip NOT IN ('10.1.2.3', '::1')"},
    {R"g({ip: {inSubnet: "10.0.0.0/8"}})g", "x.ip <<= '10.0.0.0/8'"},
    {R"g({ip: {inSubnet: "2001:db8::/32"}})g", "x.id = 4"},
    {R"g({network: {inSubnet: "192.0.0.0/2"}})g", "x.network <<= '192.0.0.0/2'"},
    {R"g({network: {containsOrEquals: "192.168.5.5"}})g", "x.id = 2"},
    {R"g({network: {eq: "10.0.0.0/8"}})g", "x.id = 1"},
    {R"g({ip: {isIPv4: true}})g", "family(x.ip) = 4"},
    {R"g({ip: {isIPv4: false}})g", "family(x.ip) = 6"},
    {R"g({ip: {isIPv6: true}})g", "x.id IN (4, 5)"},
    {R"g({ip: {isPrivate: true}})g", "x.id IN (1, 2)"},
    {R"g({ip: {isPrivate: false}})g", "x.id IN (3, 4, 5, 6)"},
    {R"g({network: {isPrivate: true}})g", "x.id IN (1, 2, 5, 6)"},
    {R"g({ip: {isLoopback: true}})g", "x.id IN (5, 6)"},
    {R"g({ip: {isNull: true}})g", "x.ip IS NULL"},
    // ltree
    {R"g({path: {eq: "Top"}})g", "x.path = 'Top'"},
    {R"g({path: {in: ["Top", "Top.Science.Physics"]}})g", "x.id IN (2, 4)"},
    {R"g({path: {ancestorOf: "Top.Science.Astronomy"}})g", "x.id IN (1, 4)"},
    {R"g({path: {descendantOf: "Top.Science"}})g", "x.path <@ 'Top.Science'"},
    {R"g({path: {matchesLquery: "*.Astronomy"}})g", "x.id IN (1, 5)"},
    {R"g({path: {matchesLquery: "Top.*{1}.!Physics"}})g", "x.id IN (1, 3)"},
    {R"g({path: {matchesLtxtquery: "Astro* & !Pictures"}})g", "x.path @ 'Astro* & !Pictures'"},
    {R"g({path: {depth: 3}})g", "nlevel(x.path) = 3"},
    // Ranges
    {R"g({sizes: {eq: "[1,10)"}})g", "x.id = 1"},
    {R"g({sizes: {contains: "[2,4)"}})g", "x.id = 1"},
    {R"g({sizes: {containsValue: 12}})g", "x.sizes @> 12"},
    {R"g({sizes: {containedBy: "[0,16)"}})g", "x.id IN (1, 2, 3)"},
    {R"g({sizes: {overlaps: "[8,12)"}})g", "x.id IN (1, 2, 6)"},
    {R"g({sizes: {adjacent: "[15,20)"}})g", "x.id IN (2, 4)"},
    {R"g({sizes: {strictlyLeft: "[15,100)"}})g", "x.id IN (1, 2)"},
    {R"g({sizes: {strictlyRight: "[0,5)"}})g", "x.sizes >> '[0,5)'"},
    {R"g({sizes: {notExtendsLeft: "[5,6)"}})g", "x.sizes &> '[5,6)'"},
    {R"g({sizes: {notExtendsRight: "[0,15)"}})g", "x.sizes &< '[0,15)'"},
    {R"g({sizes: {isEmpty: true}})g", "x.id = 3"},
    {R"g({sizes: {isEmpty: false}})g", "x.id IN (1, 2, 4, 6)"},
    {R"g({days: {overlaps: "[2024-01-15,2024-02-15)"}})g", "x.id IN (1, 2, 6)"},
    {R"g({days: {containsValue: "2024-02-10"}})g", "x.id = 2"},
    {R"g({days: {strictlyLeft: "[2024-01-01,2024-01-05)"}})g", "x.id = 5"},
    {R"g({period: {containsValue: "2024-01-01T12:00:00Z"}})g", "x.id IN (1, 2)"},
    {R"g({period: {strictlyRight: "[2024-01-01T00:00:00Z,2024-06-01T00:00:00Z)"}})g", "x.id = 3"},
    {R"g({period: {eq: "[2024-01-01T00:00:00Z,2024-01-02T00:00:00Z)"}})g", "x.id = 1"},
    // Full text (english: stems and stop words)
    {R"g({description: {search: "quick fox"}})g", "x.id = 1"},
    {R"g({description: {search: "\"brown fox\" or dogs"}})g", "x.id IN (1, 2, 3)"},
    {R"g({description: {search: "fox -lazy -quick"}})g", "x.id IN (3, 6)"},
    {R"g({description: {searchPlain: "dogs fox"}})g", "x.id = 3"},
    {R"g({description: {searchPhrase: "brown fox"}})g", "x.id = 1"},
    {R"g({description: {searchPhrase: "fox brown"}})g", "false"},
    {R"g({name: {searchPlain: "routers"}})g", "x.id IN (1, 4)"},
    // Lists: the array column when the view has one, else `data`'s JSON array
    {R"g({codes: {contains: ["a"]}})g", "x.codes @> ARRAY['a']"},
    {R"g({codes: {contains: ["b", "x\"y"]}})g", "x.id = 2"},
    {R"g({codes: {containedBy: ["a", "b", "z"]}})g", "x.id IN (1, 3, 4)"},
    {R"g({codes: {overlaps: ["c", "a"]}})g", "x.codes && ARRAY['c', 'a']"},
    {R"g({codes: {isEmpty: true}})g", "x.id = 3"},
    {R"g({codes: {isEmpty: false}})g", "x.id IN (1, 2, 4)"},
    {R"g({codes: {isNull: true}})g", "x.codes IS NULL"},
    {R"g({OR: [{ip: {isLoopback: true}}, {path: {depth: 1}}], NOT: {sizes: {isEmpty: true}}})g",
     "x.id IN (4, 5, 6)"},
};

class SqlPgFamilyFilter : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SqlPgFamilyFilter, MatchesTheHandWrittenQuery) {
  const Case& c = kCases[GetParam()];
  SCOPED_TRACE(c.where);
  const std::string expected_text = run_sql(
      std::string("SELECT coalesce(json_agg(json_build_object('id', x.id::text) ORDER BY x.id), '[]') FROM "
                  "tb_gadget x WHERE ") +
      c.condition);
  const json expected = json::parse(expected_text);
  if (std::string_view(c.condition) != "false") {
    EXPECT_FALSE(expected.empty()) << "the case should select some rows";
  }
  const std::string query =
      std::string("{ r: gadgets(where: ") + c.where + ", orderBy: [{id: ASC}], limit: 1000) { id } }";
  EXPECT_EQ(gql(with_columns(), query)["r"], expected) << "columns";
  EXPECT_EQ(gql(without_columns(), query)["r"], expected) << "data";
}

INSTANTIATE_TEST_SUITE_P(SqlPg, SqlPgFamilyFilter, ::testing::Range<std::size_t>(0, std::size(kCases)));

TEST(SqlPgFamilyFilters, ValuesComeBackAsData) {
  // Values of these types come from projection as PostgreSQL's text forms.
  const json r = gql(with_columns(), R"({ gadgets(where: {id: {eq: "1"}}) { ip network path sizes days } })");
  EXPECT_EQ(r["gadgets"][0],
            json::parse(R"g({"ip": "10.1.2.3", "network": "10.0.0.0/8", "path": "Top.Science.Astronomy",
                            "sizes": "[1,10)", "days": "[2024-01-01,2024-02-01)"})g"));
}

TEST(SqlPgFamilyFilters, InjectionPayloadThroughEveryNewOperator) {
  const std::string payload = "'); DROP TABLE tb_gadget; --";
  struct Injection {
    const char* where;
    const char* type;
  };
  const Injection cases[] = {
      {"{ip: {eq: $v}}", "IpAddress"},
      {"{ip: {neq: $v}}", "IpAddress"},
      {"{ip: {inSubnet: $v}}", "CIDR"},
      {"{network: {containsOrEquals: $v}}", "IpAddress"},
      {"{path: {eq: $v}}", "LTree"},
      {"{path: {ancestorOf: $v}}", "LTree"},
      {"{path: {descendantOf: $v}}", "LTree"},
      {"{path: {matchesLquery: $v}}", "String"},
      {"{path: {matchesLtxtquery: $v}}", "String"},
      {"{sizes: {eq: $v}}", "IntRange"},
      {"{sizes: {contains: $v}}", "IntRange"},
      {"{sizes: {containedBy: $v}}", "IntRange"},
      {"{sizes: {overlaps: $v}}", "IntRange"},
      {"{sizes: {adjacent: $v}}", "IntRange"},
      {"{sizes: {strictlyLeft: $v}}", "IntRange"},
      {"{sizes: {strictlyRight: $v}}", "IntRange"},
      {"{sizes: {notExtendsLeft: $v}}", "IntRange"},
      {"{sizes: {notExtendsRight: $v}}", "IntRange"},
      {"{days: {containsValue: $v}}", "Date"},
      {"{period: {overlaps: $v}}", "DateTimeRange"},
      {"{description: {search: $v}}", "String"},
      {"{description: {searchPlain: $v}}", "String"},
      {"{name: {searchPhrase: $v}}", "String"},
      {"{codes: {contains: $v}}", "[String!]"},
      {"{codes: {containedBy: $v}}", "[String!]"},
      {"{codes: {overlaps: $v}}", "[String!]"},
  };
  for (const Injection& c : cases) {
    SCOPED_TRACE(c.where);
    for (const FraiseqlSchema* s : {&with_columns(), &without_columns()}) {
      const std::string_view type = c.type;
      const json variables{{"v", type == "Date"        ? json("2024-01-01")
                                 : type == "[String!]" ? json::array({payload, "a\"}{"})
                                                       : json(payload)}};
      auto r = testing::compile_text(
          *s->mapping,
          std::string("query($v: ") + c.type + ") { gadgets(where: " + c.where + ", limit: 1000) { id } }",
          variables);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r.query->sql.find("DROP"), std::string::npos) << r.query->sql;
      try {
        EXPECT_TRUE(json::parse(run_compiled(*r.query))["gadgets"].is_array());
      } catch (const pqxx::sql_error& e) {
        // The value reached PostgreSQL as a value: its type's input function refused it
        // (data exception, or a syntax error of an lquery/ltxtquery pattern).
        const std::string state = e.sqlstate();
        EXPECT_TRUE(state.starts_with("22") || state == "42601") << state << ": " << e.what();
      }
    }
  }
  EXPECT_EQ(run_sql("SELECT count(*)::text FROM tb_gadget"), "7");
}

}  // namespace
}  // namespace fraiseql::sql
