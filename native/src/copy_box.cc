#include "copy_box.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "box_args.h"
#include "js_args.h"

namespace shardscope {

namespace {

// Fixed-size runs compile to plain loads and stores; memmove keeps overlapping views well defined.
template <size_t kBytes>
struct FixedRun {
  static void Copy(uint8_t* dst, const uint8_t* src, size_t) { std::memmove(dst, src, kBytes); }
};

struct AnyRun {
  static void Copy(uint8_t* dst, const uint8_t* src, size_t bytes) { std::memmove(dst, src, bytes); }
};

template <class Run>
void CopyRuns(const Side& src, uint8_t* srcBytes, const Side& dst, uint8_t* dstBytes, const std::vector<uint64_t>& extent, size_t outerDims,
              uint64_t elementBytes, size_t runBytes) {
  std::vector<uint64_t> index(outerDims, 0);
  uint64_t srcOffset = src.firstOffset;
  uint64_t dstOffset = dst.firstOffset;
  for (;;) {
    Run::Copy(dstBytes + dstOffset * elementBytes, srcBytes + srcOffset * elementBytes, runBytes);
    // Odometer over the outer dimensions; unsigned wrap-around in the offsets cancels out exactly.
    size_t dim = outerDims;
    while (dim > 0) {
      --dim;
      srcOffset += src.strides[dim];
      dstOffset += dst.strides[dim];
      if (++index[dim] < extent[dim]) break;
      srcOffset -= src.strides[dim] * extent[dim];
      dstOffset -= dst.strides[dim] * extent[dim];
      index[dim] = 0;
      if (dim == 0) return;
    }
    if (outerDims == 0) return;
  }
}

}  // namespace

Napi::Value CopyBox(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowType(env, "copyBox: expected one argument object");
  const Napi::Object args = info[0].As<Napi::Object>();
  // Read every property first: a getter could run JavaScript, which must not happen once raw pointers exist.
  Side src = ReadSide(env, args, "src", "copyBox");
  Side dst = ReadSide(env, args, "dst", "copyBox");
  const std::vector<uint64_t> extent = ReadIndexList(env, args.Get("extent"), "copyBox: extent");
  const uint64_t elementBytes = ReadIndex(env, args.Get("elementBytes"), "copyBox: elementBytes");
  if (elementBytes == 0) ThrowRange(env, "copyBox: elementBytes must be at least 1");
  Napi::Uint8Array srcArray = ReadBytes(env, args.Get("src"), "copyBox: src");
  Napi::Uint8Array dstArray = ReadBytes(env, args.Get("dst"), "copyBox: dst");

  const bool srcBox = Locate(env, src, extent, elementBytes, srcArray.ByteLength(), "copyBox");
  const bool dstBox = Locate(env, dst, extent, elementBytes, dstArray.ByteLength(), "copyBox");
  if (!srcBox || !dstBox) return env.Undefined();
  uint8_t* srcBytes = srcArray.Data();
  uint8_t* dstBytes = dstArray.Data();

  size_t outerDims = 0;
  uint64_t runElements = 1;
  JointRun(src, dst, extent, &outerDims, &runElements);
  const size_t runBytes = static_cast<size_t>(runElements * elementBytes);
  switch (runBytes) {
    case 1: CopyRuns<FixedRun<1>>(src, srcBytes, dst, dstBytes, extent, outerDims, elementBytes, runBytes); break;
    case 2: CopyRuns<FixedRun<2>>(src, srcBytes, dst, dstBytes, extent, outerDims, elementBytes, runBytes); break;
    case 4: CopyRuns<FixedRun<4>>(src, srcBytes, dst, dstBytes, extent, outerDims, elementBytes, runBytes); break;
    case 8: CopyRuns<FixedRun<8>>(src, srcBytes, dst, dstBytes, extent, outerDims, elementBytes, runBytes); break;
    case 16: CopyRuns<FixedRun<16>>(src, srcBytes, dst, dstBytes, extent, outerDims, elementBytes, runBytes); break;
    default: CopyRuns<AnyRun>(src, srcBytes, dst, dstBytes, extent, outerDims, elementBytes, runBytes);
  }
  return env.Undefined();
}

}  // namespace shardscope
