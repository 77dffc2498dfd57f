#include "process_collector.hpp"

#include <dirent.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace fraiseql::metrics {
namespace {

prometheus::MetricFamily gauge(const std::string& name, const std::string& help, double v,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  f.metric.push_back(std::move(m));
  return f;
}

double count_open_fds() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return 0;
  double n = 0;
  while (const dirent* e = readdir(d)) {  // NOLINT(concurrency-mt-unsafe): private DIR*
    if (e->d_name[0] != '.') n += 1;
  }
  closedir(d);
  return n - 1;  // the descriptor of the directory being read
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));

  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the parenthesised command name, which may itself contain spaces.
  auto close = line.rfind(')');
  if (close != std::string::npos) {
    std::istringstream rest(line.substr(close + 2));
    std::vector<std::string> f;
    std::string tok;
    while (rest >> tok) f.push_back(tok);
    // f[0] is field 3 (state): utime=14, stime=15, starttime=22, vsize=23, rss=24.
    if (f.size() > 21) {
      double utime = std::stod(f[11]);
      double stime = std::stod(f[12]);
      double start = std::stod(f[19]);
      double vsize = std::stod(f[20]);
      double rss = std::stod(f[21]);
      out.push_back(gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                          (utime + stime) / ticks, prometheus::MetricType::Counter));
      out.push_back(gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsize));
      out.push_back(gauge("process_resident_memory_bytes", "Resident memory size in bytes.", rss * page));
      out.push_back(gauge("process_start_time_seconds",
                          "Start time of the process since unix epoch in seconds.",
                          boot_time_seconds() + start / ticks));
    }
  }
  out.push_back(gauge("process_open_fds", "Number of open file descriptors.", count_open_fds()));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.push_back(gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(lim.rlim_cur)));
  }
  return out;
}

}  // namespace fraiseql::metrics
