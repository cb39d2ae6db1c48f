// Copies out of a file mapping without dying of SIGBUS: a file truncated by another process while it is mapped
// makes reads of its lost pages raise SIGBUS, which would kill the whole process (the app, a worker's CLI).
#pragma once

#include <csetjmp>
#include <cstdint>

namespace shardscope {

struct BusGuard {
  sigjmp_buf jump;
  const uint8_t* low;
  const uint8_t* high;
};

// Installs the SIGBUS handler (once per process; a fault outside a guarded copy goes on to the handler that was
// there before, or the default action). False if it cannot be installed: do not map then.
bool BusGuardAvailable();

// The guarded copy running on this thread, if any: the handler jumps back to it.
BusGuard*& ActiveBusGuard();

// Runs `copy`, which reads only from [mapped, mapped + length). False if a read there raised SIGBUS; `copy` was
// then cut short. Nothing `copy` allocates may outlive a jump, so it should only move bytes.
template <class Copy>
bool CopyGuarded(const uint8_t* mapped, uint64_t length, const Copy& copy) {
  BusGuard guard;
  guard.low = mapped;
  guard.high = mapped + length;
  if (sigsetjmp(guard.jump, 1) != 0) {
    ActiveBusGuard() = nullptr;
    return false;
  }
  ActiveBusGuard() = &guard;
  copy();
  ActiveBusGuard() = nullptr;
  return true;
}

}  // namespace shardscope
