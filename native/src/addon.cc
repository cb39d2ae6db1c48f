#include <napi.h>

#include "cast_floats.h"
#include "copy_box.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("copyBox", Napi::Function::New(env, shardscope::CopyBox, "copyBox"));
  exports.Set("castFloats", Napi::Function::New(env, shardscope::CastFloats, "castFloats"));
  return exports;
}

}  // namespace

NODE_API_MODULE(shardscope_native, Init)
