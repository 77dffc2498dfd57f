#pragma once
// The blog example (examples/blog) served by the real daemon from a database of its own:
// created on the fixture's primary with a small deterministic seed, replayed by the
// replica before the daemon starts, and asked the same questions directly for the
// answers the daemon must give.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon.hpp"

namespace fraiseql::e2e::read_path {

/// Creates the database on the primary (examples/blog/schema.sql, the seed, UTC as its
/// time zone, pg_stat_statements) and waits until the replica has replayed it.
void create_database();
/// Drops it (WITH FORCE).
void drop_database();

/// libpq URLs of the database on the primary and on the replica.
std::string primary_url();
std::string replica_url();

/// The environment of a daemon serving examples/blog/schema.graphql from the database:
/// DATABASE_URL on the primary, DATABASE_REPLICA_URLS on the replica, default limit
/// kDefaultLimit and maximum kMaxLimit.
Env blog_daemon_env();
/// The same, serving tests/e2e/read_path_types.graphql (network, ltree and range fields of
/// tb_host, as columns of v_host and inside `data` of v_host_doc).
Env types_daemon_env();
inline constexpr int kDefaultLimit = 25;
inline constexpr int kMaxLimit = 50;

/// The single cell of a hand-written query on the primary, parsed as JSON with its keys
/// in order (null when the cell is NULL). The reference answers come from here.
nlohmann::ordered_json sql_json(const std::string& sql);
/// The single cell as text ("" when NULL), on the primary or the replica.
std::string primary_text(const std::string& sql);
std::string replica_text(const std::string& sql);

/// Ids of the seed's rows as the API shows them (tb_user row g has id md5('u' || g)).
std::string user_id(int g);
std::string post_id(int g);

/// The statements pg_stat_statements saw in the database since the last reset, without
/// the daemon's connection housekeeping (health checks, pre-pings, session SETs) and
/// without the test's own statements: [{"query": ..., "calls": n}, ...].
nlohmann::json replica_statements();
nlohmann::json primary_statements();
/// Runs `sql` with `params` bound (text values, NULL for nullopt) on the replica: its
/// single cell as text.
std::string replica_exec(const std::string& sql, const std::vector<std::optional<std::string>>& params);
/// Forgets the statements counted in the database, on both servers.
void reset_statements();

}  // namespace fraiseql::e2e::read_path
