#pragma once

#include <napi.h>

namespace shardscope {

// copyFileRange(fdIn, offIn, fdOut, offOut, length) -> Promise<{copied, code?, message?}>: copies in the kernel
// with copy_file_range on a libuv thread, looping until `length` bytes are done. It never rejects for an
// operating-system error: it stops and reports how far it got and the errno name (EXDEV, ENOSYS, EOPNOTSUPP,
// EINVAL, EIO, ...), so the caller can fall back or name the file. No `code` and copied < length means the
// kernel copied nothing more: the source ended, or its file system copies nothing this way.
Napi::Value CopyFileRange(const Napi::CallbackInfo& info);

}  // namespace shardscope
