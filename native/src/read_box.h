#pragma once

#include <napi.h>

namespace shardscope {

// readBox(args) -> Promise<{bytes, calls, coverBytes, mappedBytes, code?, message?}>: reads a box of a tensor
// stored in a file (C order, little-endian, in `chunks`: a Float64Array of [fileOffset, length] pairs) straight
// into its place in a destination buffer, on a libuv thread, with one copy per byte:
//   - a run of the box that is contiguous in the file is read with preadv, scattered into the destination's
//     rows (one system call for up to 1024 pieces);
//   - short runs (< 4 KiB) whose gaps are no larger than the runs are read as their covering range through a
//     1 MiB buffer (the gaps cost less to copy than a call each);
//   - short runs with larger gaps are copied out of a private read-only mapping of the file, so no byte between
//     them is copied. The mapping never leaves this function; a file truncated meanwhile (SIGBUS) ends the read
//     with code EBUS instead of killing the process.
// args: {fd, chunks, srcShape, srcStart, dst, dstShape, dstBase, dstStart, extent, elementBytes, mode?} where
// mode 'pread' | 'cover' | 'map' forces one way for every run (tests and benchmarks). Like copyFileRange it
// never rejects for an operating-system error: `code` names the errno (EOF: the file ended first).
Napi::Value ReadBox(const Napi::CallbackInfo& info);

// adviseWillNeed(fd, ranges: Float64Array of [offset, length] pairs) -> Promise<void>: asks the kernel to start
// reading those ranges into the page cache now (POSIX_FADV_WILLNEED), on a libuv thread, so a cold disk works
// ahead of the reads that will need them. Advice only: failures are ignored.
Napi::Value AdviseWillNeed(const Napi::CallbackInfo& info);

}  // namespace shardscope
