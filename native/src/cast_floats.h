#pragma once

#include <napi.h>

namespace shardscope {

// castFloats(src, srcDtype, dst, dstDtype, count): the native twin of castFloatsJs.
Napi::Value CastFloats(const Napi::CallbackInfo& info);

}  // namespace shardscope
