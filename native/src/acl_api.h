// The part of CANN's AscendCL runtime (libascendcl.so) the NPU probe calls, declared from the public
// acl_base.h / acl_rt.h signatures. As with dcmi_api.h, the probe only takes the types and finds the functions
// with dlsym; test stubs implement these declarations.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// 0 (ACL_SUCCESS) or a positive error code such as 100000 (invalid parameter) or 507033.
typedef int aclError;

// Only the first two members matter here; the enum continues with huge-page and P2P variants.
typedef enum aclrtMemAttr { ACL_DDR_MEM = 0, ACL_HBM_MEM = 1 } aclrtMemAttr;

aclError aclInit(const char *configPath);
aclError aclFinalize(void);
aclError aclrtGetDeviceCount(uint32_t *count);
aclError aclrtSetDevice(int32_t deviceId);
aclError aclrtResetDevice(int32_t deviceId);
// Free and total bytes of the current device's memory of kind `attr`.
aclError aclrtGetMemInfo(aclrtMemAttr attr, size_t *free, size_t *total);
// The SoC name, e.g. "Ascend910B3"; NULL before aclInit.
const char *aclrtGetSocName(void);

#ifdef __cplusplus
}
#endif
