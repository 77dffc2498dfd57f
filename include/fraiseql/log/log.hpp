#pragma once
/// Logging: spdlog set up once for the process, as text or one JSON object per line.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace fraiseql::log {

enum class Format { kText, kJson };

struct Options {
  std::string level = "info";  // trace debug info warn error critical off
  Format format = Format::kText;
  bool async = true;  // a background thread writes, so request threads never wait on stderr
};

/// Installs the default logger. Safe to call again (tests, reconfiguration).
void init(const Options& options);

/// Flushes and stops the background writer; call before exit.
void shutdown();

/// The format chosen by init().
Format format() noexcept;

/// One finished HTTP request.
struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view path;
  std::string_view remote;
  unsigned status = 0;
  std::chrono::microseconds duration{0};
  std::size_t bytes_out = 0;
};

/// Writes the access-log line of one request (level info, logger "access").
void access(const AccessRecord& record);

/// Escapes a string for inclusion inside a JSON string literal.
void append_json_escaped(std::string& out, std::string_view s);

}  // namespace fraiseql::log
