#include "run/stop_signals.h"

#include <csignal>
#include <initializer_list>

namespace relabel::run {

namespace {
std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop.store(true, std::memory_order_relaxed);  // lock-free atomic: async-signal-safe
}
}  // namespace

const std::atomic<bool>& install_stop_signal_handlers() {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (int sig : {SIGTERM, SIGINT, SIGUSR1, SIGUSR2}) sigaction(sig, &sa, nullptr);
    return true;
  }();
  (void)installed;
  return g_stop;
}

int stop_signal() { return g_signal; }

void reset_stop_flag() {
  g_stop.store(false);
  g_signal = 0;
}

}  // namespace relabel::run
