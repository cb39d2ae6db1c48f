#include "cast_floats.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "float_convert.h"
#include "js_args.h"

namespace shardscope {

namespace {

enum Dtype { kFloat16, kBFloat16, kFloat32, kFloat64, kDtypeCount };

constexpr const char* kDtypeNames[kDtypeCount] = {"Float16", "BFloat16", "Float32", "Float64"};
constexpr uint64_t kDtypeBytes[kDtypeCount] = {2, 2, 4, 8};

// Checkpoint bytes are little-endian; only a big-endian host has to swap.
template <class Bits>
Bits SwapToHost(Bits bits) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  Bits swapped = 0;
  for (size_t i = 0; i < sizeof(Bits); ++i) swapped = static_cast<Bits>((swapped << 8) | ((bits >> (8 * i)) & 0xFF));
  return swapped;
#else
  return bits;
#endif
}

// memcpy loads and stores are alignment-safe and compile to plain moves.
template <class From, class To>
void CastLoop(const uint8_t* src, uint8_t* dst, size_t count) {
  using In = typename From::Bits;
  using Out = typename To::Bits;
  for (size_t i = 0; i < count; ++i) {
    In input;
    std::memcpy(&input, src + i * sizeof(In), sizeof(In));
    const Out output = SwapToHost<Out>(Convert<From, To>(SwapToHost<In>(input)));
    std::memcpy(dst + i * sizeof(Out), &output, sizeof(Out));
  }
}

using Loop = void (*)(const uint8_t*, uint8_t*, size_t);

template <class From>
Loop LoopTo(Dtype to) {
  switch (to) {
    case kFloat16: return CastLoop<From, Float16>;
    case kBFloat16: return CastLoop<From, BFloat16>;
    case kFloat32: return CastLoop<From, Float32>;
    default: return CastLoop<From, Float64>;
  }
}

Loop LoopFor(Dtype from, Dtype to) {
  switch (from) {
    case kFloat16: return LoopTo<Float16>(to);
    case kBFloat16: return LoopTo<BFloat16>(to);
    case kFloat32: return LoopTo<Float32>(to);
    default: return LoopTo<Float64>(to);
  }
}

Dtype ReadDtype(const Napi::Env& env, const Napi::Value& value, const std::string& what) {
  if (value.IsString()) {
    const std::string name = value.As<Napi::String>().Utf8Value();
    for (int dtype = 0; dtype < kDtypeCount; ++dtype) {
      if (name == kDtypeNames[dtype]) return static_cast<Dtype>(dtype);
    }
  }
  ThrowType(env, "castFloats: " + what + " must be Float16, BFloat16, Float32 or Float64");
}

void CheckHolds(const Napi::Env& env, const Napi::Uint8Array& array, const std::string& what, uint64_t count,
                Dtype dtype) {
  const uint64_t needed = CheckedMultiply(env, count, kDtypeBytes[dtype], "castFloats: " + what + " byte count");
  if (needed > array.ByteLength()) {
    ThrowRange(env, "castFloats: " + what + " holds " + std::to_string(array.ByteLength()) + " bytes, fewer than " +
                        std::to_string(count) + " " + kDtypeNames[dtype]);
  }
}

}  // namespace

Napi::Value CastFloats(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 5) ThrowType(env, "castFloats: expected (src, srcDtype, dst, dstDtype, count)");
  Napi::Uint8Array src = ReadBytes(env, info[0], "castFloats: src");
  const Dtype srcDtype = ReadDtype(env, info[1], "srcDtype");
  Napi::Uint8Array dst = ReadBytes(env, info[2], "castFloats: dst");
  const Dtype dstDtype = ReadDtype(env, info[3], "dstDtype");
  const uint64_t count = ReadIndex(env, info[4], "castFloats: count");
  CheckHolds(env, src, "src", count, srcDtype);
  CheckHolds(env, dst, "dst", count, dstDtype);
  if (count == 0) return env.Undefined();
  if (srcDtype == dstDtype) {
    std::memmove(dst.Data(), src.Data(), static_cast<size_t>(count * kDtypeBytes[srcDtype]));
  } else {
    LoopFor(srcDtype, dstDtype)(src.Data(), dst.Data(), static_cast<size_t>(count));
  }
  return env.Undefined();
}

}  // namespace shardscope
