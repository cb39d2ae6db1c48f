#pragma once

#include <napi.h>

namespace shardscope {

// copyBox(args): the native twin of copyBoxJs, with every index checked against both buffers first.
Napi::Value CopyBox(const Napi::CallbackInfo& info);

}  // namespace shardscope
