// Bit-exact conversions between IEEE-style binary formats: widening is exact, narrowing rounds once to
// nearest, ties to even (subnormals included, overflow to infinity), and a NaN stays a quiet NaN that keeps its
// sign and the top of its payload.
#pragma once

#include <cstdint>
#include <type_traits>

#if defined(_MSC_VER)
#include <intrin.h>
#endif

namespace shardscope {

template <class BitsType, int FractionBits, int ExponentBits>
struct FloatFormat {
  using Bits = BitsType;
  static constexpr int kFractionBits = FractionBits;
  static constexpr int kBias = (1 << (ExponentBits - 1)) - 1;
  static constexpr int kMinExponent = 1 - kBias;
  static constexpr int kMaxExponent = kBias;
  static constexpr int kSignShift = FractionBits + ExponentBits;
  static constexpr uint64_t kFractionMask = (uint64_t{1} << FractionBits) - 1;
  static constexpr uint64_t kExponentMask = (uint64_t{1} << ExponentBits) - 1;
  static constexpr uint64_t kInfinity = kExponentMask << FractionBits;
  static constexpr uint64_t kQuietBit = uint64_t{1} << (FractionBits - 1);
};

using Float16 = FloatFormat<uint16_t, 10, 5>;
using BFloat16 = FloatFormat<uint16_t, 7, 8>;
using Float32 = FloatFormat<uint32_t, 23, 8>;
using Float64 = FloatFormat<uint64_t, 52, 11>;

inline int HighestBit(uint64_t value) {
#if defined(__GNUC__) || defined(__clang__)
  return 63 - __builtin_clzll(value);
#elif defined(_MSC_VER) && defined(_M_X64)
  unsigned long index;
  _BitScanReverse64(&index, value);
  return static_cast<int>(index);
#else
  int bit = 63;
  while (!(value >> bit)) --bit;
  return bit;
#endif
}

// The magnitude mantissa * 2^scale (exact) in format To, rounded to nearest, ties to even.
template <class To>
uint64_t RoundMagnitude(uint64_t mantissa, int scale) {
  if (mantissa == 0) return 0;
  const int exponent = HighestBit(mantissa) + scale;
  if (exponent > To::kMaxExponent) return To::kInfinity;
  // Below the smallest normal exponent the unit in the last place stays fixed: that is gradual underflow.
  const int unitExponent = (exponent > To::kMinExponent ? exponent : To::kMinExponent) - To::kFractionBits;
  const int dropped = unitExponent - scale;
  uint64_t units;
  if (dropped <= 0) {
    units = mantissa << -dropped;
  } else if (dropped >= 64) {
    units = 0;  // mantissa < 2^53, far below half a unit
  } else {
    units = mantissa >> dropped;
    const uint64_t remainder = mantissa & ((uint64_t{1} << dropped) - 1);
    const uint64_t half = uint64_t{1} << (dropped - 1);
    if (remainder > half || (remainder == half && (units & 1))) ++units;
  }
  // A carry out of the fraction lands in the exponent, up to and including infinity.
  const uint64_t binade = static_cast<uint64_t>(unitExponent + To::kFractionBits - To::kMinExponent);
  return (binade << To::kFractionBits) + units;
}

template <class From, class To>
typename To::Bits ConvertGeneric(typename From::Bits input) {
  const uint64_t bits = input;
  const uint64_t sign = ((bits >> From::kSignShift) & 1) << To::kSignShift;
  const uint64_t biased = (bits >> From::kFractionBits) & From::kExponentMask;
  const uint64_t fraction = bits & From::kFractionMask;
  if (biased == From::kExponentMask) {
    if (fraction == 0) return static_cast<typename To::Bits>(sign | To::kInfinity);
    uint64_t payload;
    if constexpr (To::kFractionBits >= From::kFractionBits) {
      payload = fraction << (To::kFractionBits - From::kFractionBits);
    } else {
      payload = fraction >> (From::kFractionBits - To::kFractionBits);
    }
    return static_cast<typename To::Bits>(sign | To::kInfinity | To::kQuietBit | payload);
  }
  const uint64_t mantissa = biased == 0 ? fraction : fraction | (uint64_t{1} << From::kFractionBits);
  const int exponent = biased == 0 ? From::kMinExponent : static_cast<int>(biased) - From::kBias;
  return static_cast<typename To::Bits>(sign | RoundMagnitude<To>(mantissa, exponent - From::kFractionBits));
}

// The pairs checkpoints actually need get branch-light versions; their results equal ConvertGeneric's.
template <class From, class To>
typename To::Bits Convert(typename From::Bits input) {
  if constexpr (std::is_same_v<From, BFloat16> && std::is_same_v<To, Float32>) {
    const uint32_t widened = static_cast<uint32_t>(input) << 16;
    return (input & 0x7FFF) > 0x7F80 ? widened | 0x00400000u : widened;
  } else if constexpr (std::is_same_v<From, Float32> && std::is_same_v<To, BFloat16>) {
    // Same exponent as float32, so ties-to-even is integer arithmetic on the upper half; NaN first, because a
    // small payload would otherwise round to infinity.
    if ((input & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((input >> 16) | 0x0040);
    return static_cast<uint16_t>((input + 0x7FFFu + ((input >> 16) & 1)) >> 16);
  } else if constexpr (std::is_same_v<From, Float32> && std::is_same_v<To, Float16>) {
    const uint32_t magnitude = input & 0x7FFFFFFFu;
    const uint16_t sign = static_cast<uint16_t>((input >> 16) & 0x8000);
    if (magnitude >= 0x477FF000u) return ConvertGeneric<From, To>(input);  // rounds to infinity, or is inf/NaN
    if (magnitude >= 0x38800000u) {
      // Normal in float16: rebias the exponent and round 13 fraction bits away, ties to even.
      const uint32_t rebiased = magnitude - ((127u - 15u) << 23);
      return static_cast<uint16_t>(sign | ((rebiased + 0xFFFu + ((rebiased >> 13) & 1)) >> 13));
    }
    return ConvertGeneric<From, To>(input);  // float16 subnormal or zero
  } else if constexpr (std::is_same_v<From, Float16> && std::is_same_v<To, Float32>) {
    const uint32_t magnitude = input & 0x7FFFu;
    if (magnitude - 0x0400u < 0x7800u) {  // normal: only the exponent bias changes
      return static_cast<uint32_t>((input & 0x8000u) << 16) | ((magnitude << 13) + ((127u - 15u) << 23));
    }
    return ConvertGeneric<From, To>(input);
  } else {
    return ConvertGeneric<From, To>(input);
  }
}

}  // namespace shardscope
