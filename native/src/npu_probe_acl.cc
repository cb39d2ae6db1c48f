#include <string>

#include "acl_api.h"
#include "dynamic_library.h"
#include "npu_probe.h"

namespace shardscope {

namespace {

constexpr uint64_t kMaxSafeBytes = (uint64_t{1} << 53) - 1;

std::string Returned(const std::string& library, const std::string& call, aclError code) {
  return library + ": " + call + " returned " + std::to_string(code);
}

struct AclCalls {
  decltype(&aclInit) init = nullptr;
  decltype(&aclFinalize) finalize = nullptr;
  decltype(&aclrtGetDeviceCount) deviceCount = nullptr;
  decltype(&aclrtSetDevice) setDevice = nullptr;
  decltype(&aclrtResetDevice) resetDevice = nullptr;
  decltype(&aclrtGetMemInfo) memInfo = nullptr;
  decltype(&aclrtGetSocName) socName = nullptr;  // optional: without it devices have no name
};

// Finds every required function; the empty string means all were found, else the sentence naming the first gap.
std::string FindCalls(DynamicLibrary& library, AclCalls& calls) {
  if ((calls.init = library.Find<decltype(calls.init)>("aclInit")) == nullptr ||
      (calls.finalize = library.Find<decltype(calls.finalize)>("aclFinalize")) == nullptr ||
      (calls.deviceCount = library.Find<decltype(calls.deviceCount)>("aclrtGetDeviceCount")) == nullptr ||
      (calls.setDevice = library.Find<decltype(calls.setDevice)>("aclrtSetDevice")) == nullptr ||
      (calls.resetDevice = library.Find<decltype(calls.resetDevice)>("aclrtResetDevice")) == nullptr ||
      (calls.memInfo = library.Find<decltype(calls.memInfo)>("aclrtGetMemInfo")) == nullptr) {
    return library.Error();
  }
  calls.socName = library.Find<decltype(calls.socName)>("aclrtGetSocName");
  return std::string();
}

// Every device in turn: open a context on it (AscendCL reports memory only for the current device), read, reset.
ProbeOutcome ProbeDevices(const std::string& library, const AclCalls& calls) {
  uint32_t count = 0;
  aclError code = calls.deviceCount(&count);
  if (code != 0) return ProbeOutcome::Failure(Returned(library, "aclrtGetDeviceCount", code));
  if (count == 0) return ProbeOutcome::Failure(library + " reports no NPU devices");
  if (count > kMaxNpuDevices) {
    return ProbeOutcome::Failure(library + ": aclrtGetDeviceCount reports " + std::to_string(count) +
                                 " devices, more than " + std::to_string(kMaxNpuDevices));
  }
  const char* soc = calls.socName != nullptr ? calls.socName() : nullptr;
  ProbeOutcome outcome;
  for (uint32_t index = 0; index < count; ++index) {
    const int32_t device = static_cast<int32_t>(index);
    const std::string which = "(" + std::to_string(device) + ")";
    code = calls.setDevice(device);
    if (code != 0) return ProbeOutcome::Failure(Returned(library, "aclrtSetDevice" + which, code));
    size_t freeBytes = 0;
    size_t totalBytes = 0;
    code = calls.memInfo(ACL_HBM_MEM, &freeBytes, &totalBytes);
    calls.resetDevice(device);
    if (code != 0) {
      return ProbeOutcome::Failure(Returned(library, "aclrtGetMemInfo(ACL_HBM_MEM) on device " +
                                                         std::to_string(device),
                                            code));
    }
    if (totalBytes > kMaxSafeBytes) {
      return ProbeOutcome::Failure(library + ": aclrtGetMemInfo reports an implausible " +
                                   std::to_string(totalBytes) + " bytes on device " + std::to_string(device));
    }
    NpuDevice npu;
    npu.id = device;
    npu.logicId = device;
    npu.name = soc != nullptr ? std::string(soc) : std::string();
    npu.hbmTotalBytes = totalBytes;
    // The probe's own context holds a little HBM too; it is counted as used, as npu-smi would show it.
    npu.hbmUsedBytes = freeBytes <= totalBytes ? totalBytes - freeBytes : 0;
    outcome.devices.push_back(std::move(npu));
  }
  outcome.available = true;
  return outcome;
}

}  // namespace

ProbeOutcome ProbeAcl(const std::string& library) {
  DynamicLibrary acl;
  if (!acl.Open(library)) return ProbeOutcome::Failure(acl.Error());
  AclCalls calls;
  const std::string missing = FindCalls(acl, calls);
  if (!missing.empty()) return ProbeOutcome::Failure(missing);
  const aclError code = calls.init(nullptr);
  if (code != 0) return ProbeOutcome::Failure(Returned(library, "aclInit", code));
  ProbeOutcome outcome = ProbeDevices(library, calls);
  calls.finalize();
  return outcome;
}

}  // namespace shardscope
