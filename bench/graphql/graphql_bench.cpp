// Microseconds to parse, to validate, and to parse + validate GraphQL documents.
// Prints one JSON line per document (the format graphqljs_bench.mjs prints too):
//   {"doc", "bytes", "errors", "parse_us", "validate_us", "both_us"} (+ "*_min_us")
// Usage: graphql_bench SCHEMA.graphql DOC.graphql... [--batch-ms N] [--repeats N]
//
// Each figure is the median over `repeats` batches of the mean time per operation in a
// batch; a batch repeats the operation until it has run for at least batch-ms. One
// untimed batch first warms caches and the allocator.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fraiseql/graphql/parser.hpp"

#if FRAISEQL_BENCH_VALIDATE
#include "fraiseql/graphql/schema_builder.hpp"
#include "fraiseql/graphql/validation.hpp"
#endif

namespace {

namespace fs = std::filesystem;
namespace gql = fraiseql::graphql;
using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Keeps the compiler from discarding a result that is otherwise unused.
template <typename T>
void keep(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

struct Figure {
  double median_us = 0;
  double min_us = 0;
};

struct Settings {
  double batch_ms = 50;
  int repeats = 9;
};

// `op(n)` runs the operation n times; `prepare(n)` (untimed) readies inputs for n runs.
template <typename Prepare, typename Op>
Figure measure(const Settings& settings, Prepare&& prepare, Op&& op) {
  // Calibrate: double n until a batch takes at least batch_ms.
  uint64_t n = 1;
  for (;;) {
    prepare(n);
    const auto t0 = Clock::now();
    op(n);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (ms >= settings.batch_ms || n >= (uint64_t{1} << 30)) break;
    n *= ms < settings.batch_ms / 8 ? 8 : 2;
  }
  std::vector<double> per_op;
  for (int r = 0; r < settings.repeats; ++r) {
    prepare(n);
    const auto t0 = Clock::now();
    op(n);
    const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
    per_op.push_back(us / static_cast<double>(n));
  }
  std::sort(per_op.begin(), per_op.end());
  return {per_op[per_op.size() / 2], per_op.front()};
}

void append_figure(std::string& out, const char* name, const Figure& f) {
  char buf[128];
  std::snprintf(buf, sizeof buf, ",\"%s_us\":%.3f,\"%s_min_us\":%.3f", name, f.median_us, name, f.min_us);
  out += buf;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--batch-ms" && i + 1 < argc) {
      settings.batch_ms = std::atof(argv[++i]);
    } else if (arg == "--repeats" && i + 1 < argc) {
      settings.repeats = std::max(1, std::atoi(argv[++i]));
    } else {
      paths.push_back(arg);
    }
  }
  if (paths.size() < 2) {
    std::cerr << "usage: graphql_bench SCHEMA DOC... [--batch-ms N] [--repeats N]\n";
    return 2;
  }
  try {
#if FRAISEQL_BENCH_VALIDATE
    gql::SchemaBuildOptions build_options;
    build_options.fraiseql_prelude = false;  // the schema file declares its scalars and directives
    auto built =
        gql::build_schema(read_file(paths[0]), fs::path(paths[0]).filename().string(), build_options);
    if (!built.ok()) {
      std::cerr << "graphql_bench: schema does not build:\n" << built.error_text() << "\n";
      return 1;
    }
    const gql::Schema& schema = *built.schema();
    // The server's defaults: the spec rules plus FraiseQL's depth, alias and cost limits.
    const gql::ValidationOptions options{};
#endif
    for (std::size_t d = 1; d < paths.size(); ++d) {
      const std::string source = read_file(paths[d]);
      auto first = gql::parse_document(source);
      if (!first.ok()) {
        std::cerr << "graphql_bench: " << paths[d] << ": " << gql::format_parse_error(first.error()) << "\n";
        return 1;
      }
      // The server moves the request body into the parser, so copies are made untimed.
      std::vector<std::string> copies;
      auto prepare = [&](uint64_t n) { copies.assign(n, source); };
      auto nothing = [](uint64_t) {};

      std::string line = "{\"doc\":\"" + fs::path(paths[d]).filename().string() +
                         "\",\"bytes\":" + std::to_string(source.size());
      const Figure parse = measure(settings, prepare, [&](uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) {
          auto r = gql::parse_document(std::move(copies[i]));
          keep(r.ok());
        }
      });
#if FRAISEQL_BENCH_VALIDATE
      const auto errors = gql::validate(schema, first.document(), options);
      for (const auto& e : errors) std::cerr << paths[d] << ": " << e.rule << ": " << e.message << "\n";
      line += ",\"errors\":" + std::to_string(errors.size());
      const Figure validate = measure(settings, nothing, [&](uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) {
          auto e = gql::validate(schema, first.document(), options);
          keep(e.size());
        }
      });
      const Figure both = measure(settings, prepare, [&](uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) {
          auto r = gql::parse_document(std::move(copies[i]));
          auto e = gql::validate(schema, r.document(), options);
          keep(e.size());
        }
      });
      append_figure(line, "parse", parse);
      append_figure(line, "validate", validate);
      append_figure(line, "both", both);
#else
      (void)nothing;
      append_figure(line, "parse", parse);
#endif
      line += "}\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::cerr << "graphql_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
