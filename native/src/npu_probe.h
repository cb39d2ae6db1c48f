// The local NPU probe: asks the Ascend driver (DCMI) or, failing that, the CANN runtime (AscendCL) which NPUs
// this machine has and how much of their HBM is in use. Both libraries are found with dlopen at run time.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shardscope {

struct NpuDevice {
  int64_t id = 0;        // physical id when the driver says it, else the logic id
  int64_t logicId = -1;  // the number applications use (ACL device id); -1 when unknown
  std::string name;      // e.g. "Ascend910B3"; empty when unknown
  uint64_t hbmTotalBytes = 0;
  uint64_t hbmUsedBytes = 0;
};

// Either devices (available) or one sentence naming the library, the call and its code (unavailable).
struct ProbeOutcome {
  bool available = false;
  std::vector<NpuDevice> devices;
  std::string reason;

  static ProbeOutcome Failure(std::string why) {
    ProbeOutcome outcome;
    outcome.reason = std::move(why);
    return outcome;
  }
};

// Bounds on what a driver may report before anything is sized by it; far above any real host.
constexpr int kMaxNpuCards = 64;  // DCMI documents at most 64 cards
constexpr int kMaxChipsPerCard = 16;
constexpr uint32_t kMaxNpuDevices = 256;

ProbeOutcome ProbeDcmi(const std::string& library);
ProbeOutcome ProbeAcl(const std::string& library);

// probeNpus({dcmiLibrary?, aclLibrary?}): DCMI first, AscendCL second; never throws for a driver failure.
Napi::Value ProbeNpus(const Napi::CallbackInfo& info);

}  // namespace shardscope
