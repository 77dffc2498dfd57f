#pragma once
/// PostgreSQL WAL positions ("16/B374D848") as comparable integers, for read-your-writes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fraiseql::db {

/// The LSN in PostgreSQL's text form "X/Y" (hex halves); nullopt when malformed.
std::optional<std::uint64_t> parse_lsn(std::string_view text);

/// The inverse of parse_lsn, upper-case hex as PostgreSQL prints it.
std::string format_lsn(std::uint64_t lsn);

}  // namespace fraiseql::db
