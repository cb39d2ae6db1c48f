#include "bus_guard.h"

#include <csignal>
#include <mutex>

namespace shardscope {

namespace {

// Initial-exec TLS: reading it in a signal handler never allocates (general-dynamic TLS of a dlopen'ed library
// may, on a thread's first access).
thread_local BusGuard* t_active __attribute__((tls_model("initial-exec"))) = nullptr;

struct sigaction g_previous;
bool g_installed = false;

void OnBus(int signal, siginfo_t* info, void* context) {
  BusGuard* guard = t_active;
  const auto* address = static_cast<const uint8_t*>(info->si_addr);
  if (guard != nullptr && address >= guard->low && address < guard->high) siglongjmp(guard->jump, 1);
  // Not ours: whatever was there before decides.
  if ((g_previous.sa_flags & SA_SIGINFO) != 0 && g_previous.sa_sigaction != nullptr) {
    g_previous.sa_sigaction(signal, info, context);
    return;
  }
  if (g_previous.sa_handler == SIG_DFL || g_previous.sa_handler == SIG_IGN) {
    // The faulting access runs again on return and then takes the default action, as without this handler.
    std::signal(signal, SIG_DFL);
    return;
  }
  g_previous.sa_handler(signal);
}

}  // namespace

bool BusGuardAvailable() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_sigaction = OnBus;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    g_installed = sigaction(SIGBUS, &action, &g_previous) == 0;
  });
  return g_installed;
}

BusGuard*& ActiveBusGuard() { return t_active; }

}  // namespace shardscope
