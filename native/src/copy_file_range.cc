#include "copy_file_range.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "errno_name.h"
#include "js_args.h"

namespace shardscope {

namespace {

// Per system call; the kernel caps one call near 2 GiB anyway.
constexpr uint64_t kMaxCallBytes = uint64_t{1} << 30;

class CopyRangeWorker : public Napi::AsyncWorker {
 public:
  CopyRangeWorker(const Napi::Env& env, int fdIn, uint64_t offIn, int fdOut, uint64_t offOut, uint64_t length)
      : Napi::AsyncWorker(env, "shardscope.copyFileRange"),
        deferred_(Napi::Promise::Deferred::New(env)),
        fdIn_(fdIn),
        offIn_(offIn),
        fdOut_(fdOut),
        offOut_(offOut),
        length_(length) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
#if defined(__linux__) && defined(SYS_copy_file_range)
    while (copied_ < length_) {
      // Explicit offsets leave both file positions alone, so other positional I/O on the fds is unaffected.
      loff_t in = static_cast<loff_t>(offIn_ + copied_);
      loff_t out = static_cast<loff_t>(offOut_ + copied_);
      const uint64_t want = length_ - copied_ < kMaxCallBytes ? length_ - copied_ : kMaxCallBytes;
      // The raw system call, not glibc's wrapper: some glibc versions emulate it in user space, which would
      // hide the kernel's "unsupported" answer that the caller needs.
      const long done = syscall(SYS_copy_file_range, fdIn_, &in, fdOut_, &out, static_cast<size_t>(want), 0u);
      if (done < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return;
      }
      if (done == 0) return;
      copied_ += static_cast<uint64_t>(done);
    }
#else
    error_ = ENOSYS;
#endif
  }

  void OnOK() override {
    const Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("copied", Napi::Number::New(env, static_cast<double>(copied_)));
    if (error_ != 0) {
      result.Set("code", Napi::String::New(env, ErrnoName(error_)));
      result.Set("message", Napi::String::New(env, std::strerror(error_)));
    }
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  const int fdIn_;
  const uint64_t offIn_;
  const int fdOut_;
  const uint64_t offOut_;
  const uint64_t length_;
  uint64_t copied_ = 0;
  int error_ = 0;
};

int ReadFd(const Napi::Env& env, const Napi::Value& value, const std::string& what) {
  const uint64_t fd = ReadIndex(env, value, what);
  if (fd > 0x7fffffff) ThrowRange(env, what + " is not a file descriptor");
  return static_cast<int>(fd);
}

}  // namespace

Napi::Value CopyFileRange(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 5) ThrowType(env, "copyFileRange: expected (fdIn, offIn, fdOut, offOut, length)");
  const int fdIn = ReadFd(env, info[0], "copyFileRange: fdIn");
  const uint64_t offIn = ReadIndex(env, info[1], "copyFileRange: offIn");
  const int fdOut = ReadFd(env, info[2], "copyFileRange: fdOut");
  const uint64_t offOut = ReadIndex(env, info[3], "copyFileRange: offOut");
  const uint64_t length = ReadIndex(env, info[4], "copyFileRange: length");
  // Offsets stay below 2^53, so offset + length cannot wrap a 64-bit loff_t.
  auto* worker = new CopyRangeWorker(env, fdIn, offIn, fdOut, offOut, length);
  const Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace shardscope
