#include "helmholtz/core/stop_signals.hpp"

#include <signal.h>

#include <atomic>
#include <mutex>

namespace helmholtz::core {
namespace {

std::atomic<int> g_stop_signal{0};
std::mutex g_guard_mutex;
int g_guards = 0;
struct sigaction g_old_int {};
struct sigaction g_old_term {};
struct sigaction g_old_usr1 {};

void on_stop_signal(int signal) {
  // A second Ctrl-C: the default action, now.
  if (signal == SIGINT && g_stop_signal.load() != 0) {
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT);
    return;
  }
  int expected = 0;
  g_stop_signal.compare_exchange_strong(expected, signal);
}

}  // namespace

StopSignals::StopSignals() {
  const std::lock_guard<std::mutex> lock(g_guard_mutex);
  if (g_guards++ > 0) return;
  g_stop_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
  sigaction(SIGUSR1, &action, &g_old_usr1);
}

StopSignals::~StopSignals() {
  const std::lock_guard<std::mutex> lock(g_guard_mutex);
  if (--g_guards > 0) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  sigaction(SIGUSR1, &g_old_usr1, nullptr);
}

int stop_signal() { return g_stop_signal.load(); }

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    case SIGKILL: return "SIGKILL";
    default: return "signal " + std::to_string(signal);
  }
}

}  // namespace helmholtz::core
