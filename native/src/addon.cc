#include <napi.h>

#include "cast_floats.h"
#include "copy_box.h"
#include "copy_file_range.h"
#include "npu_probe.h"
#include "read_box.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("copyBox", Napi::Function::New(env, shardscope::CopyBox, "copyBox"));
  exports.Set("castFloats", Napi::Function::New(env, shardscope::CastFloats, "castFloats"));
  exports.Set("copyFileRange", Napi::Function::New(env, shardscope::CopyFileRange, "copyFileRange"));
  exports.Set("readBox", Napi::Function::New(env, shardscope::ReadBox, "readBox"));
  exports.Set("adviseWillNeed", Napi::Function::New(env, shardscope::AdviseWillNeed, "adviseWillNeed"));
  exports.Set("probeNpus", Napi::Function::New(env, shardscope::ProbeNpus, "probeNpus"));
  return exports;
}

}  // namespace

NODE_API_MODULE(shardscope_native, Init)
