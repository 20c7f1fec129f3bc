#include "helmholtz/core/launcher.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "helmholtz/core/error.hpp"

extern char** environ;

namespace helmholtz::core {
namespace {

volatile sig_atomic_t g_forward = 0;  // the signal to pass on to the ranks, 0 when none

void remember_signal(int signal) { g_forward = signal; }

// Installs the forwarding handlers for its lifetime and restores the earlier ones after.
class ForwardSignals {
 public:
  ForwardSignals() {
    struct sigaction action {};
    action.sa_handler = remember_signal;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &action, &old_[i]);
  }
  ~ForwardSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }
  ForwardSignals(const ForwardSignals&) = delete;
  ForwardSignals& operator=(const ForwardSignals&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGUSR1};
  std::array<struct sigaction, 3> old_{};
};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> out;
  std::string current;
  for (const char c : all) {
    if (c == '\0') {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

std::vector<std::string> without_options(const std::vector<std::string>& args,
                                         const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    bool dropped = false;
    for (const auto& name : names) {
      const std::string option = "--" + name;
      if (args[i] == option) {
        ++i;  // and its value
        dropped = true;
        break;
      }
      if (args[i].rfind(option + "=", 0) == 0) {
        dropped = true;
        break;
      }
    }
    if (!dropped) out.push_back(args[i]);
  }
  return out;
}

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw RunError(std::string("no socket for a free port: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  const int error = errno;
  close(fd);
  if (!ok) throw RunError(std::string("no free port on 127.0.0.1: ") + std::strerror(error));
  return ntohs(address.sin_port);
}

int run_local_ranks(const std::vector<std::string>& args, int processes) {
  if (processes < 1) throw UsageError("--processes must be at least 1");
  const int port = free_local_port();
  const ForwardSignals forward;
  std::vector<pid_t> pids(static_cast<std::size_t>(processes), 0);
  // This process's environment less the rendezvous variables, which each rank gets its own of.
  std::vector<std::string> inherited;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    bool ours = false;
    for (const char* name :
         {"RANK=", "LOCAL_RANK=", "WORLD_SIZE=", "MASTER_ADDR=", "MASTER_PORT="}) {
      if (entry.rfind(name, 0) == 0) ours = true;
    }
    if (!ours) inherited.push_back(entry);
  }
  for (int rank = 0; rank < processes; ++rank) {
    std::vector<std::string> env_text = inherited;
    env_text.push_back("RANK=" + std::to_string(rank));
    env_text.push_back("LOCAL_RANK=" + std::to_string(rank));
    env_text.push_back("WORLD_SIZE=" + std::to_string(processes));
    env_text.push_back("MASTER_ADDR=127.0.0.1");
    env_text.push_back("MASTER_PORT=" + std::to_string(port));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> env;
    for (auto& e : env_text) env.push_back(e.data());
    env.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, "/proc/self/exe", nullptr, nullptr, argv.data(), env.data());
    if (rc != 0) {
      for (const pid_t p : pids) {
        if (p != 0) kill(p, SIGTERM);
      }
      for (const pid_t p : pids) {
        if (p != 0) waitpid(p, nullptr, 0);
      }
      throw RunError("could not start process " + std::to_string(rank) + " of " +
                     std::to_string(processes) + ": " + std::strerror(rc));
    }
    pids[static_cast<std::size_t>(rank)] = pid;
  }
  int rank0_code = 0;
  int first_failure = 0;
  int left = processes;
  // After a failure the others learn of it from their next collective and end by themselves,
  // rank 0 writing the run folder's state first; one that has not ended after kGrace is
  // asked to stop (SIGTERM), and killed after twice that.
  using Clock = std::chrono::steady_clock;
  constexpr auto kGrace = std::chrono::seconds(30);
  std::optional<Clock::time_point> failed_at;
  int escalation = 0;
  while (left > 0) {
    if (g_forward != 0) {
      const int signal = g_forward;
      g_forward = 0;
      for (const pid_t p : pids) {
        if (p != 0) kill(p, signal);
      }
    }
    if (failed_at && escalation < 2 && Clock::now() - *failed_at > kGrace * (escalation + 1)) {
      ++escalation;
      for (const pid_t p : pids) {
        if (p != 0) kill(p, escalation == 1 ? SIGTERM : SIGKILL);
      }
    }
    int status = 0;
    const pid_t done = waitpid(-1, &status, WNOHANG);
    if (done == 0 || (done < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (done < 0) break;
    for (std::size_t rank = 0; rank < pids.size(); ++rank) {
      if (pids[rank] != done) continue;
      pids[rank] = 0;
      --left;
      const int code = exit_code_of(status);
      if (rank == 0) rank0_code = code;
      if (code != 0 && first_failure == 0) first_failure = code;
      if (code != 0 && !failed_at) failed_at = Clock::now();
    }
  }
  return rank0_code != 0 ? rank0_code : first_failure;
}

}  // namespace helmholtz::core
