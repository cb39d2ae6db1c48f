#include "box_args.h"

#include "js_args.h"

namespace shardscope {

Side ReadSide(const Napi::Env& env, const Napi::Object& args, const std::string& name, const std::string& what,
              bool withBase) {
  Side side;
  side.name = name;
  side.shape = ReadIndexList(env, args.Get(name + "Shape"), what + ": " + name + "Shape");
  side.start = ReadIndexList(env, args.Get(name + "Start"), what + ": " + name + "Start");
  if (withBase) side.base = ReadIndex(env, args.Get(name + "Base"), what + ": " + name + "Base");
  return side;
}

bool Locate(const Napi::Env& env, Side& side, const std::vector<uint64_t>& extent, uint64_t elementBytes,
            uint64_t byteLength, const std::string& what) {
  const std::string prefix = what + ": ";
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
  if (empty) return false;
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
  return true;
}

void JointRun(const Side& src, const Side& dst, const std::vector<uint64_t>& extent, size_t* outerDims,
              uint64_t* runElements) {
  const size_t ndim = extent.size();
  size_t outer = ndim == 0 ? 0 : ndim - 1;
  uint64_t run = ndim == 0 ? 1 : extent[outer];
  while (outer > 0 && extent[outer] == src.shape[outer] && extent[outer] == dst.shape[outer]) {
    --outer;
    run *= extent[outer];
  }
  *outerDims = outer;
  *runElements = run;
}

}  // namespace shardscope
