#include "fraiseql/log/log.hpp"

#include <atomic>
#include <ctime>

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace fraiseql::log {
namespace {

std::atomic<Format> g_format{Format::kText};
std::shared_ptr<spdlog::logger> g_access;

void append_timestamp(std::string& out, spdlog::log_clock::time_point tp) {
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(tp);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(tp - secs).count();
  std::time_t t = spdlog::log_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  out.append(buf, n);
  char frac[16];
  int m = std::snprintf(frac, sizeof frac, ".%06ldZ", static_cast<long>(micros));
  out.append(frac, static_cast<std::size_t>(m));
}

// One JSON object per line. Access lines arrive pre-formatted as JSON members.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string out;
    out.reserve(160 + msg.payload.size());
    out += R"({"ts":")";
    append_timestamp(out, msg.time);
    out += R"(","level":")";
    auto lvl = spdlog::level::to_string_view(msg.level);
    out.append(lvl.data(), lvl.size());
    out += R"(","logger":")";
    append_json_escaped(out, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    out += '"';
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (msg.logger_name == "access") {
      out += ',';
      out.append(payload);  // already `"key":value` pairs
    } else {
      out += R"(,"msg":")";
      append_json_escaped(out, payload);
      out += '"';
    }
    out += "}\n";
    dest.append(out.data(), out.data() + out.size());
  }
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4U];
          out += kHex[c & 0xFU];
        } else {
          out += ch;
        }
    }
  }
}

void init(const Options& options) {
  spdlog::drop_all();
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::shared_ptr<spdlog::logger> main;
  if (options.async) {
    if (!spdlog::thread_pool()) spdlog::init_thread_pool(32768, 1);
    main = std::make_shared<spdlog::async_logger>("fraiseql", sink, spdlog::thread_pool(),
                                                  spdlog::async_overflow_policy::block);
    g_access = std::make_shared<spdlog::async_logger>("access", sink, spdlog::thread_pool(),
                                                      spdlog::async_overflow_policy::block);
  } else {
    main = std::make_shared<spdlog::logger>("fraiseql", sink);
    g_access = std::make_shared<spdlog::logger>("access", sink);
  }
  if (options.format == Format::kJson) {
    main->set_formatter(std::make_unique<JsonFormatter>());
    g_access->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    main->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
    g_access->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  }
  auto level = spdlog::level::from_str(options.level);
  main->set_level(level);
  g_access->set_level(level);
  main->flush_on(spdlog::level::warn);
  spdlog::register_logger(g_access);
  spdlog::set_default_logger(main);
  g_format = options.format;
}

void shutdown() {
  if (auto l = spdlog::default_logger()) l->flush();
  if (g_access) g_access->flush();
  g_access.reset();
  spdlog::shutdown();
}

Format format() noexcept {
  return g_format.load();
}

void access(const AccessRecord& r) {
  auto* logger = g_access.get();
  if (logger == nullptr || !logger->should_log(spdlog::level::info)) return;
  double ms = static_cast<double>(r.duration.count()) / 1000.0;
  if (g_format.load(std::memory_order_relaxed) == Format::kJson) {
    std::string out;
    out.reserve(160);
    out += R"("request_id":")";
    append_json_escaped(out, r.request_id);
    out += R"(","method":")";
    append_json_escaped(out, r.method);
    out += R"(","path":")";
    append_json_escaped(out, r.path);
    out += R"(","remote":")";
    append_json_escaped(out, r.remote);
    out += R"(","status":)";
    out += std::to_string(r.status);
    out += R"(,"duration_ms":)";
    char buf[32];
    int n = std::snprintf(buf, sizeof buf, "%.3f", ms);
    out.append(buf, static_cast<std::size_t>(n));
    out += R"(,"bytes":)";
    out += std::to_string(r.bytes_out);
    logger->info(out);
  } else {
    logger->info("{} {} {} {} {:.3f}ms {}B from {}", r.request_id, r.method, r.path, r.status, ms,
                 r.bytes_out, r.remote);
  }
}

}  // namespace fraiseql::log
