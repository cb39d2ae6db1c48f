#include "js_args.h"

#include <cmath>
#include <sstream>

namespace shardscope {

namespace {

std::string Describe(double number) {
  std::ostringstream text;
  text.precision(17);
  text << number;
  return text.str();
}

}  // namespace

void ThrowRange(const Napi::Env& env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

void ThrowType(const Napi::Env& env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

uint64_t ReadIndex(const Napi::Env& env, const Napi::Value& value, const std::string& what) {
  if (!value.IsNumber()) ThrowType(env, what + " must be a number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!(number >= 0) || number > static_cast<double>(kMaxSafeInteger) || std::floor(number) != number) {
    ThrowRange(env, what + " must be a non-negative safe integer, got " + Describe(number));
  }
  return static_cast<uint64_t>(number);
}

std::vector<uint64_t> ReadIndexList(const Napi::Env& env, const Napi::Value& value, const std::string& what) {
  if (!value.IsArray()) ThrowType(env, what + " must be an array of integers");
  const Napi::Array array = value.As<Napi::Array>();
  const uint32_t length = array.Length();
  // Deeper than any tensor MindSpore writes; the bound keeps a hostile length from allocating wildly.
  if (length > 64) ThrowRange(env, what + " has " + std::to_string(length) + " entries; at most 64 are supported");
  std::vector<uint64_t> list(length);
  for (uint32_t i = 0; i < length; ++i) {
    list[i] = ReadIndex(env, array.Get(i), what + "[" + std::to_string(i) + "]");
  }
  return list;
}

Napi::Uint8Array ReadBytes(const Napi::Env& env, const Napi::Value& value, const std::string& what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowType(env, what + " must be a Uint8Array");
  }
  return value.As<Napi::Uint8Array>();
}

uint64_t CheckedMultiply(const Napi::Env& env, uint64_t a, uint64_t b, const std::string& what) {
  if (a != 0 && b > kMaxSafeInteger / a) ThrowRange(env, what + " exceeds 2^53 - 1");
  return a * b;
}

}  // namespace shardscope
