// Readers for JavaScript arguments that throw TypeError / RangeError instead of trusting the caller.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shardscope {

// Indices and sizes travel as JS numbers, so anything beyond 2^53 - 1 could not have been meant exactly.
constexpr uint64_t kMaxSafeInteger = (uint64_t{1} << 53) - 1;

uint64_t ReadIndex(const Napi::Env& env, const Napi::Value& value, const std::string& what);

std::vector<uint64_t> ReadIndexList(const Napi::Env& env, const Napi::Value& value, const std::string& what);

// Only Uint8Array (Buffer included): the kernels address bytes, and other views would hide a scaling.
Napi::Uint8Array ReadBytes(const Napi::Env& env, const Napi::Value& value, const std::string& what);

// Products above kMaxSafeInteger are rejected, which also keeps every later sum of them far from overflow.
uint64_t CheckedMultiply(const Napi::Env& env, uint64_t a, uint64_t b, const std::string& what);

[[noreturn]] void ThrowRange(const Napi::Env& env, const std::string& message);
[[noreturn]] void ThrowType(const Napi::Env& env, const std::string& message);

}  // namespace shardscope
