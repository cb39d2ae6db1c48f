#include <cstring>
#include <string>

#include "dcmi_api.h"
#include "dynamic_library.h"
#include "npu_probe.h"

namespace shardscope {

namespace {

// Bytes per MB, and the largest MB figure that stays an exact JavaScript number once multiplied.
constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kMaxMegabytes = ((uint64_t{1} << 53) - 1) / kMiB;

// The return codes of the DCMI reference, for a reason a person can act on.
const char* DcmiCodeMeaning(int code) {
  switch (code) {
    case -8001: return "invalid parameter";
    case -8002: return "operation not permitted: run as root or as a member of the driver's group";
    case -8003: return "memory operation failed";
    case -8005: return "internal driver error";
    case -8006: return "timed out";
    case -8007: return "invalid device id";
    case -8008: return "the device does not exist";
    case -8009: return "ioctl failed";
    case -8012: return "the device is not ready yet";
    case -8013: return "not supported in a container";
    case -8017: return "the device is being upgraded";
    case -8020: return "the device is occupied";
    case -8255: return "not supported by this device";
    default: return nullptr;
  }
}

std::string Returned(const std::string& library, const std::string& call, int code) {
  const char* meaning = DcmiCodeMeaning(code);
  return library + ": " + call + " returned " + std::to_string(code) +
         (meaning != nullptr ? std::string(" (") + meaning + ")" : std::string());
}

// Sets `reason` and returns false, so that a failed step reads `return Fail(reason, ...)`.
bool Fail(std::string& reason, std::string why) {
  reason = std::move(why);
  return false;
}

std::string Where(int card, int device) {
  return "(card " + std::to_string(card) + ", device " + std::to_string(device) + ")";
}

// The text of a fixed-size char field that a driver may leave without a terminating NUL.
std::string FieldText(const unsigned char* field, size_t size) {
  const char* text = reinterpret_cast<const char*>(field);
  return std::string(text, strnlen(text, size));
}

// A driver newer than these declarations may write a larger structure: give it room to do so harmlessly.
template <class Struct>
union Roomy {
  Struct value;
  unsigned char room[1024];
};

struct DcmiCalls {
  decltype(&dcmi_init) init = nullptr;
  decltype(&dcmi_get_card_list) cardList = nullptr;
  const char* cardListName = "dcmi_get_card_list";
  decltype(&dcmi_get_device_num_in_card) deviceNum = nullptr;
  decltype(&dcmi_get_device_logic_id) logicId = nullptr;
  decltype(&dcmi_get_device_hbm_info) hbmInfo = nullptr;
  decltype(&dcmi_get_device_memory_info_v3) memoryInfo = nullptr;
  // Optional: without them a device has no name, and its id is its logic id.
  decltype(&dcmi_get_device_chip_info) chipInfo = nullptr;
  decltype(&dcmi_get_device_phyid_from_logicid) physicalId = nullptr;
};

// Finds every function; the reason names the first one missing.
bool FindCalls(DynamicLibrary& library, DcmiCalls& calls, std::string& reason) {
  calls.init = library.Find<decltype(calls.init)>("dcmi_init");
  if (calls.init == nullptr) return Fail(reason, library.Error());
  calls.cardList = library.Find<decltype(calls.cardList)>("dcmi_get_card_list");
  if (calls.cardList == nullptr) {
    calls.cardList = library.Find<decltype(calls.cardList)>("dcmi_get_card_num_list");
    calls.cardListName = "dcmi_get_card_num_list";
  }
  if (calls.cardList == nullptr) {
    return Fail(reason, library.Name() + " has neither dcmi_get_card_list nor dcmi_get_card_num_list");
  }
  calls.deviceNum = library.Find<decltype(calls.deviceNum)>("dcmi_get_device_num_in_card");
  if (calls.deviceNum == nullptr) return Fail(reason, library.Error());
  calls.logicId = library.Find<decltype(calls.logicId)>("dcmi_get_device_logic_id");
  if (calls.logicId == nullptr) return Fail(reason, library.Error());
  calls.hbmInfo = library.Find<decltype(calls.hbmInfo)>("dcmi_get_device_hbm_info");
  calls.memoryInfo = library.Find<decltype(calls.memoryInfo)>("dcmi_get_device_memory_info_v3");
  if (calls.hbmInfo == nullptr && calls.memoryInfo == nullptr) {
    return Fail(reason, library.Name() + " has neither dcmi_get_device_hbm_info nor dcmi_get_device_memory_info_v3");
  }
  calls.chipInfo = library.Find<decltype(calls.chipInfo)>("dcmi_get_device_chip_info");
  calls.physicalId = library.Find<decltype(calls.physicalId)>("dcmi_get_device_phyid_from_logicid");
  return true;
}

// Total and used memory in MB: HBM where the chip has it, else the memory dcmi_get_device_memory_info_v3 reports.
bool ReadMemory(const std::string& name, const DcmiCalls& calls, int card, int device, uint64_t& totalMb,
                uint64_t& usedMb, std::string& reason) {
  if (calls.hbmInfo != nullptr) {
    Roomy<dcmi_hbm_info> hbm{};
    const int code = calls.hbmInfo(card, device, &hbm.value);
    if (code != 0) return Fail(reason, Returned(name, "dcmi_get_device_hbm_info" + Where(card, device), code));
    if (hbm.value.memory_size > 0 || calls.memoryInfo == nullptr) {
      totalMb = hbm.value.memory_size;
      usedMb = hbm.value.memory_usage;
      return true;
    }
  }
  Roomy<dcmi_get_memory_info_stru> memory{};
  const int code = calls.memoryInfo(card, device, &memory.value);
  if (code != 0) return Fail(reason, Returned(name, "dcmi_get_device_memory_info_v3" + Where(card, device), code));
  totalMb = memory.value.memory_size;
  usedMb = memory.value.memory_available <= totalMb ? totalMb - memory.value.memory_available : 0;
  return true;
}

bool ProbeDevice(const std::string& name, const DcmiCalls& calls, int card, int device, NpuDevice& npu,
                 std::string& reason) {
  int logic = -1;
  const int code = calls.logicId(&logic, card, device);
  if (code != 0) return Fail(reason, Returned(name, "dcmi_get_device_logic_id" + Where(card, device), code));
  npu.logicId = logic;
  npu.id = logic;
  unsigned int physical = 0;
  if (calls.physicalId != nullptr && logic >= 0 && calls.physicalId(static_cast<unsigned>(logic), &physical) == 0) {
    npu.id = physical;
  }
  uint64_t totalMb = 0;
  uint64_t usedMb = 0;
  if (!ReadMemory(name, calls, card, device, totalMb, usedMb, reason)) return false;
  if (totalMb > kMaxMegabytes || usedMb > kMaxMegabytes) {
    return Fail(reason, name + " reports an implausible memory size " + Where(card, device) + ": " +
                            std::to_string(totalMb) + " MB total, " + std::to_string(usedMb) + " MB used");
  }
  npu.hbmTotalBytes = totalMb * kMiB;
  npu.hbmUsedBytes = usedMb * kMiB;
  Roomy<dcmi_chip_info> chip{};
  if (calls.chipInfo != nullptr && calls.chipInfo(card, device, &chip.value) == 0) {
    // chip_type "Ascend" and chip_name "910B3" together are the SoC name AscendCL reports.
    npu.name = FieldText(chip.value.chip_type, sizeof chip.value.chip_type) +
               FieldText(chip.value.chip_name, sizeof chip.value.chip_name);
  }
  return true;
}

}  // namespace

ProbeOutcome ProbeDcmi(const std::string& library) {
  DynamicLibrary dcmi;
  if (!dcmi.Open(library)) return ProbeOutcome::Failure(dcmi.Error());
  DcmiCalls calls;
  std::string reason;
  if (!FindCalls(dcmi, calls, reason)) return ProbeOutcome::Failure(reason);

  int code = calls.init();
  if (code != 0) return ProbeOutcome::Failure(Returned(library, "dcmi_init", code));
  int cardCount = 0;
  int cards[kMaxNpuCards] = {};
  code = calls.cardList(&cardCount, cards, kMaxNpuCards);
  if (code != 0) return ProbeOutcome::Failure(Returned(library, calls.cardListName, code));
  if (cardCount < 0 || cardCount > kMaxNpuCards) {
    return ProbeOutcome::Failure(library + ": " + calls.cardListName + " reports " + std::to_string(cardCount) +
                                 " cards, outside 0.." + std::to_string(kMaxNpuCards));
  }
  if (cardCount == 0) return ProbeOutcome::Failure(library + " reports no NPU cards");

  ProbeOutcome outcome;
  for (int index = 0; index < cardCount; ++index) {
    const int card = cards[index];
    int chips = 0;
    code = calls.deviceNum(card, &chips);
    if (code != 0) {
      return ProbeOutcome::Failure(
          Returned(library, "dcmi_get_device_num_in_card(card " + std::to_string(card) + ")", code));
    }
    if (chips < 0 || chips > kMaxChipsPerCard) {
      return ProbeOutcome::Failure(library + ": dcmi_get_device_num_in_card reports " + std::to_string(chips) +
                                   " chips on card " + std::to_string(card) + ", outside 0.." +
                                   std::to_string(kMaxChipsPerCard));
    }
    for (int device = 0; device < chips; ++device) {
      NpuDevice npu;
      if (!ProbeDevice(library, calls, card, device, npu, reason)) return ProbeOutcome::Failure(reason);
      outcome.devices.push_back(std::move(npu));
    }
  }
  if (outcome.devices.empty()) return ProbeOutcome::Failure(library + " reports cards but no NPU chips on them");
  outcome.available = true;
  return outcome;
}

}  // namespace shardscope
