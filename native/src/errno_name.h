#pragma once

#include <string>

namespace shardscope {

// The errno names callers decide on (EXDEV, ENOSYS, EIO, ...); others as "E<number>".
std::string ErrnoName(int error);

}  // namespace shardscope
