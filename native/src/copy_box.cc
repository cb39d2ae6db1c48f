#include "copy_box.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "js_args.h"

namespace shardscope {

namespace {

// One side of the copy: a C-order tensor of which `bytes` holds the elements from flat index `base` on.
struct Side {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<uint64_t> start;
  std::vector<uint64_t> strides;
  uint64_t base = 0;
  uint64_t firstOffset = 0;  // first box element, in elements from the start of `bytes`
  uint8_t* bytes = nullptr;
};

Side ReadSide(const Napi::Env& env, const Napi::Object& args, const std::string& name) {
  Side side;
  side.name = name;
  side.shape = ReadIndexList(env, args.Get(name + "Shape"), "copyBox: " + name + "Shape");
  side.start = ReadIndexList(env, args.Get(name + "Start"), "copyBox: " + name + "Start");
  side.base = ReadIndex(env, args.Get(name + "Base"), "copyBox: " + name + "Base");
  return side;
}

// Checks the box against the tensor and `byteLength`, and fills in strides and the first offset.
void Locate(const Napi::Env& env, Side& side, const std::vector<uint64_t>& extent, uint64_t elementBytes,
            size_t byteLength) {
  const std::string prefix = "copyBox: ";
  const size_t ndim = extent.size();
  if (side.shape.size() != ndim || side.start.size() != ndim) {
    ThrowRange(env, prefix + side.name + "Shape and " + side.name + "Start must have " + std::to_string(ndim) +
                        " entries like extent, got " + std::to_string(side.shape.size()) + " and " +
                        std::to_string(side.start.size()));
  }
  side.strides.assign(ndim, 0);
  uint64_t stride = 1;
  for (size_t i = ndim; i-- > 0;) {
    side.strides[i] = stride;
    stride = CheckedMultiply(env, stride, side.shape[i], prefix + side.name + "Shape's element count");
  }
  bool empty = false;
  for (size_t i = 0; i < ndim; ++i) {
    if (side.start[i] > side.shape[i] || extent[i] > side.shape[i] - side.start[i]) {
      ThrowRange(env, prefix + "the box [" + std::to_string(side.start[i]) + ", " +
                          std::to_string(side.start[i] + extent[i]) + ") leaves " + side.name + "Shape[" +
                          std::to_string(i) + "] = " + std::to_string(side.shape[i]));
    }
    if (extent[i] == 0) empty = true;
  }
  if (empty) return;
  // Strides are non-negative, so the box's first and last elements bound every element it holds.
  uint64_t first = 0;
  uint64_t last = 0;
  for (size_t i = 0; i < ndim; ++i) {
    first += side.start[i] * side.strides[i];
    last += (side.start[i] + extent[i] - 1) * side.strides[i];
  }
  if (first < side.base) {
    ThrowRange(env, prefix + "the box starts at element " + std::to_string(first) + ", before " + side.name +
                        "Base = " + std::to_string(side.base));
  }
  const uint64_t needed = CheckedMultiply(env, last - side.base + 1, elementBytes, prefix + side.name + " extent");
  if (needed > byteLength) {
    ThrowRange(env, prefix + side.name + " holds " + std::to_string(byteLength) + " bytes but the box needs " +
                        std::to_string(needed));
  }
  side.firstOffset = first - side.base;
}

// Fixed-size runs compile to plain loads and stores; memmove keeps overlapping views well defined.
template <size_t kBytes>
struct FixedRun {
  static void Copy(uint8_t* dst, const uint8_t* src, size_t) { std::memmove(dst, src, kBytes); }
};

struct AnyRun {
  static void Copy(uint8_t* dst, const uint8_t* src, size_t bytes) { std::memmove(dst, src, bytes); }
};

template <class Run>
void CopyRuns(const Side& src, const Side& dst, const std::vector<uint64_t>& extent, size_t outerDims,
              uint64_t elementBytes, size_t runBytes) {
  std::vector<uint64_t> index(outerDims, 0);
  uint64_t srcOffset = src.firstOffset;
  uint64_t dstOffset = dst.firstOffset;
  for (;;) {
    Run::Copy(dst.bytes + dstOffset * elementBytes, src.bytes + srcOffset * elementBytes, runBytes);
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
  Side src = ReadSide(env, args, "src");
  Side dst = ReadSide(env, args, "dst");
  const std::vector<uint64_t> extent = ReadIndexList(env, args.Get("extent"), "copyBox: extent");
  const uint64_t elementBytes = ReadIndex(env, args.Get("elementBytes"), "copyBox: elementBytes");
  if (elementBytes == 0) ThrowRange(env, "copyBox: elementBytes must be at least 1");
  Napi::Uint8Array srcArray = ReadBytes(env, args.Get("src"), "copyBox: src");
  Napi::Uint8Array dstArray = ReadBytes(env, args.Get("dst"), "copyBox: dst");

  Locate(env, src, extent, elementBytes, srcArray.ByteLength());
  Locate(env, dst, extent, elementBytes, dstArray.ByteLength());
  for (uint64_t length : extent) {
    if (length == 0) return env.Undefined();
  }
  src.bytes = srcArray.Data();
  dst.bytes = dstArray.Data();

  // Trailing dimensions whole in both tensors merge into one contiguous run.
  const size_t ndim = extent.size();
  size_t outerDims = ndim == 0 ? 0 : ndim - 1;
  uint64_t runElements = ndim == 0 ? 1 : extent[outerDims];
  while (outerDims > 0 && extent[outerDims] == src.shape[outerDims] && extent[outerDims] == dst.shape[outerDims]) {
    --outerDims;
    runElements *= extent[outerDims];
  }
  const size_t runBytes = static_cast<size_t>(runElements * elementBytes);
  switch (runBytes) {
    case 1: CopyRuns<FixedRun<1>>(src, dst, extent, outerDims, elementBytes, runBytes); break;
    case 2: CopyRuns<FixedRun<2>>(src, dst, extent, outerDims, elementBytes, runBytes); break;
    case 4: CopyRuns<FixedRun<4>>(src, dst, extent, outerDims, elementBytes, runBytes); break;
    case 8: CopyRuns<FixedRun<8>>(src, dst, extent, outerDims, elementBytes, runBytes); break;
    case 16: CopyRuns<FixedRun<16>>(src, dst, extent, outerDims, elementBytes, runBytes); break;
    default: CopyRuns<AnyRun>(src, dst, extent, outerDims, elementBytes, runBytes);
  }
  return env.Undefined();
}

}  // namespace shardscope
