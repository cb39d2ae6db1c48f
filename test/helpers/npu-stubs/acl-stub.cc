// A stand-in for libascendcl.so built from the probe's own declarations: 8 Ascend 910B3 devices of 64 GiB HBM,
// device i using 3 GiB + i * 512 MiB. It insists on the documented order: aclInit first, a device set before
// aclrtGetMemInfo, and ACL_HBM_MEM as the kind of memory asked about.
#include "acl_api.h"
#include "stub-behaviour.h"

static const uint32_t kDevices = 8;
static const size_t kGiB = (size_t)1 << 30;
static int initialised = 0;
static int current = -1;

aclError aclInit(const char* configPath) {
  (void)configPath;
  const aclError code = StubBehaviour("aclInit", 0);
  if (code != 0) return code;
  initialised = 1;
  return 0;
}

aclError aclFinalize(void) {
  initialised = 0;
  return 0;
}

aclError aclrtGetDeviceCount(uint32_t* count) {
  if (!initialised) return 100001;
  const aclError code = StubBehaviour("aclrtGetDeviceCount", 0);
  if (code != 0) return code;
  *count = kDevices;
  return 0;
}

aclError aclrtSetDevice(int32_t deviceId) {
  if (!initialised) return 100001;
  const aclError code = StubBehaviour("aclrtSetDevice", deviceId);
  if (code != 0) return code;
  if (deviceId < 0 || (uint32_t)deviceId >= kDevices) return 107001;
  current = deviceId;
  return 0;
}

aclError aclrtResetDevice(int32_t deviceId) {
  if (deviceId != current) return 107001;
  current = -1;
  return 0;
}

aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t* free, size_t* total) {
  if (current < 0) return 107002;
  const aclError code = StubBehaviour("aclrtGetMemInfo", current);
  if (code != 0) return code;
  if (attr != ACL_HBM_MEM) return 100000;
  *total = 64 * kGiB;
  *free = *total - (3 * kGiB + (size_t)current * (kGiB / 2));
  return 0;
}

const char* aclrtGetSocName(void) { return initialised ? "Ascend910B3" : NULL; }
