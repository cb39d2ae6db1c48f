// One side of a box copy between C-order tensors, read from a JavaScript argument object and checked.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace shardscope {

// A C-order tensor of which some buffer holds the elements from flat index `base` on.
struct Side {
  std::string name;
  std::vector<uint64_t> shape;
  std::vector<uint64_t> start;
  std::vector<uint64_t> strides;
  uint64_t base = 0;
  uint64_t firstOffset = 0;  // first box element, in elements from the start of the buffer
};

// Reads `<name>Shape`, `<name>Start` and, if `withBase`, `<name>Base` from `args`; `what` prefixes messages.
Side ReadSide(const Napi::Env& env, const Napi::Object& args, const std::string& name, const std::string& what,
              bool withBase = true);

// Checks the box against the tensor and `byteLength`, and fills in strides and the first offset. Returns false
// when the box is empty (some extent is 0).
bool Locate(const Napi::Env& env, Side& side, const std::vector<uint64_t>& extent, uint64_t elementBytes,
            uint64_t byteLength, const std::string& what);

// Trailing dimensions whole in both tensors merge into one contiguous run: the dimensions left outside it, and
// the run's length in elements.
void JointRun(const Side& src, const Side& dst, const std::vector<uint64_t>& extent, size_t* outerDims,
              uint64_t* runElements);

}  // namespace shardscope
