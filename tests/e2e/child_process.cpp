#include "child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "test_env.hpp"

namespace fraiseql::e2e {

ChildProcess::ChildProcess(const std::string& program, const std::vector<std::string>& args, const Env& env) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "fraiseql-e2e-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  dir_ = tmpl;
  std::string out_path = dir_ + "/stdout";
  std::string err_path = dir_ + "/stderr";

  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<std::string> argv_s{program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> envp_s;
  for (const auto& [k, v] : env) envp_s.push_back(k + "=" + v);
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : envp_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0)
    throw std::runtime_error("cannot create the output files in " + dir_);
  pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ == 0) {
    // A test process killed by a ctest timeout must not leave daemons behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(null_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(program.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(out_fd);
  ::close(err_fd);
  ::close(null_fd);
  if (pid_ < 0) throw std::runtime_error("fork: " + std::string(std::strerror(fork_errno)));
}

ChildProcess::~ChildProcess() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void ChildProcess::signal(int sig) const {
  if (!exit_code_ && pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds deadline) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!exit_code_) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (r < 0 && errno != EINTR) throw std::runtime_error("waitpid: " + std::string(std::strerror(errno)));
    if (std::chrono::steady_clock::now() >= until) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

bool ChildProcess::running() {
  return !wait_exit(std::chrono::milliseconds(0));
}

std::string ChildProcess::out() const {
  return testing::read_file(dir_ + "/stdout");
}
std::string ChildProcess::err() const {
  return testing::read_file(dir_ + "/stderr");
}

}  // namespace fraiseql::e2e
