#include "read_box.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#if defined(__linux__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>
#define SHARDSCOPE_POSIX_IO 1
#endif

#include "box_args.h"
#include "bus_guard.h"
#include "errno_name.h"
#include "js_args.h"

namespace shardscope {

namespace {

constexpr uint64_t kShortRunBytes = 4096;
constexpr uint64_t kCoverBufferBytes = 1 << 20;
constexpr size_t kMaxShortPieces = 4096;
constexpr uint64_t kMaxMapBytes = uint64_t{1} << 30;
constexpr size_t kMaxIov = 1024;

enum class Mode { kAuto, kPread, kCover, kMap };

struct Chunk {
  uint64_t file;
  uint64_t length;
};

// A run contiguous in both the file and the destination.
struct Piece {
  uint64_t file;
  uint8_t* dst;
  uint64_t bytes;
};

struct Outcome {
  uint64_t bytes = 0;
  uint64_t calls = 0;
  uint64_t coverBytes = 0;
  uint64_t mappedBytes = 0;
  int error = 0;
  bool eof = false;
  bool bus = false;
};

// Turns the box's runs into reads: file-contiguous runs become one preadv, short ones wait in a group that is
// read covered or mapped, whichever copies fewer needless bytes and makes fewer calls.
class Reader {
 public:
  Reader(int fd, Mode mode, Outcome* outcome) : fd_(fd), mode_(mode), out_(outcome) {}

  bool Add(const Piece& piece) {
    if (!segment_.empty() && piece.file == segmentFile_ + segmentBytes_ && segment_.size() < kMaxIov) {
      iovec& last = segment_.back();
      if (static_cast<uint8_t*>(last.iov_base) + last.iov_len == piece.dst) {
        last.iov_len += piece.bytes;
      } else {
        segment_.push_back({piece.dst, static_cast<size_t>(piece.bytes)});
      }
      segmentBytes_ += piece.bytes;
      return true;
    }
    if (!EndSegment()) return false;
    segmentFile_ = piece.file;
    segmentBytes_ = piece.bytes;
    segment_.push_back({piece.dst, static_cast<size_t>(piece.bytes)});
    return true;
  }

  bool Finish() { return EndSegment() && FlushShort(); }

 private:
  bool EndSegment() {
    if (segment_.empty()) return true;
    bool ok = true;
    if (mode_ == Mode::kPread || (mode_ == Mode::kAuto && segmentBytes_ >= kShortRunBytes)) {
      ok = FlushShort() && PreadvAll(segmentFile_, segment_.data(), static_cast<int>(segment_.size()));
    } else {
      uint64_t file = segmentFile_;
      for (const iovec& part : segment_) {
        shortPieces_.push_back({file, static_cast<uint8_t*>(part.iov_base), part.iov_len});
        shortUseful_ += part.iov_len;
        file += part.iov_len;
      }
      if (shortPieces_.size() >= kMaxShortPieces) ok = FlushShort();
    }
    segment_.clear();
    return ok;
  }

  bool FlushShort() {
    if (shortPieces_.empty()) return true;
    const Piece& first = shortPieces_.front();
    const Piece& last = shortPieces_.back();
    const uint64_t span = last.file + last.bytes - first.file;
    bool ok;
    // Gaps no larger than the runs: copying them costs less than a call per run.
    if (mode_ == Mode::kCover || (mode_ == Mode::kAuto && span <= 2 * shortUseful_)) {
      ok = Cover(shortPieces_);
    } else {
      ok = Mapped(shortPieces_);
    }
    shortPieces_.clear();
    shortUseful_ = 0;
    return ok;
  }

  bool PreadvAll(uint64_t file, iovec* iov, int count) {
#if defined(SHARDSCOPE_POSIX_IO)
    while (count > 0) {
      const ssize_t got = preadv(fd_, iov, count, static_cast<off_t>(file));
      if (got < 0) {
        if (errno == EINTR) continue;
        out_->error = errno;
        return false;
      }
      out_->calls++;
      if (got == 0) {
        out_->eof = true;
        return false;
      }
      file += static_cast<uint64_t>(got);
      out_->bytes += static_cast<uint64_t>(got);
      size_t left = static_cast<size_t>(got);
      while (count > 0 && left >= iov->iov_len) {
        left -= iov->iov_len;
        ++iov;
        --count;
      }
      if (count > 0) {
        iov->iov_base = static_cast<uint8_t*>(iov->iov_base) + left;
        iov->iov_len -= left;
      }
    }
    return true;
#else
    out_->error = ENOSYS;
    return false;
#endif
  }

  bool PreadAll(uint8_t* into, uint64_t length, uint64_t file) {
    iovec one{into, static_cast<size_t>(length)};
    return PreadvAll(file, &one, 1);
  }

  // Windows of at most kCoverBufferBytes, each read whole, then the pieces copied out.
  bool Cover(const std::vector<Piece>& pieces) {
    if (buffer_.empty()) buffer_.resize(kCoverBufferBytes);
    for (size_t i = 0; i < pieces.size();) {
      const uint64_t start = pieces[i].file;
      if (pieces[i].bytes > kCoverBufferBytes) {
        // Longer than the window (forced cover mode): straight into place.
        if (!PreadAll(pieces[i].dst, pieces[i].bytes, start)) return false;
        ++i;
        continue;
      }
      size_t j = i;
      uint64_t end = start;
      while (j < pieces.size() && pieces[j].file >= start &&
             pieces[j].file + pieces[j].bytes - start <= kCoverBufferBytes) {
        end = std::max(end, pieces[j].file + pieces[j].bytes);
        ++j;
      }
      const uint64_t before = out_->bytes;
      if (!PreadAll(buffer_.data(), end - start, start)) return false;
      out_->bytes = before;
      for (size_t k = i; k < j; ++k) {
        std::memcpy(pieces[k].dst, buffer_.data() + (pieces[k].file - start), pieces[k].bytes);
        out_->bytes += pieces[k].bytes;
      }
      out_->coverBytes += end - start;
      i = j;
    }
    return true;
  }

  // Only the pieces' bytes are copied, out of a mapping of the window that holds them.
  bool Mapped(const std::vector<Piece>& pieces) {
#if defined(SHARDSCOPE_POSIX_IO)
    static const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    for (size_t i = 0; i < pieces.size();) {
      const uint64_t start = pieces[i].file / page * page;
      // The first piece always goes in, so every window makes progress whatever its size.
      size_t j = i + 1;
      uint64_t end = pieces[i].file + pieces[i].bytes;
      while (j < pieces.size() && pieces[j].file >= start &&
             pieces[j].file + pieces[j].bytes - start <= kMaxMapBytes) {
        end = std::max(end, pieces[j].file + pieces[j].bytes);
        ++j;
      }
      void* map = BusGuardAvailable()
                      ? mmap(nullptr, end - start, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(start))
                      : MAP_FAILED;
      if (map == MAP_FAILED) {
        // A file that cannot be mapped (some file systems), or no SIGBUS guard: read it covered instead.
        std::vector<Piece> rest(pieces.begin() + static_cast<std::ptrdiff_t>(i),
                                pieces.begin() + static_cast<std::ptrdiff_t>(j));
        if (!Cover(rest)) return false;
        i = j;
        continue;
      }
      out_->calls++;
      const uint8_t* bytes = static_cast<const uint8_t*>(map);
      const bool copied = CopyGuarded(bytes, end - start, [&] {
        for (size_t k = i; k < j; ++k) std::memcpy(pieces[k].dst, bytes + (pieces[k].file - start), pieces[k].bytes);
      });
      munmap(map, end - start);
      if (!copied) {
        out_->bus = true;
        return false;
      }
      for (size_t k = i; k < j; ++k) out_->bytes += pieces[k].bytes;
      out_->mappedBytes += end - start;
      i = j;
    }
    return true;
#else
    return Cover(pieces);
#endif
  }

  const int fd_;
  const Mode mode_;
  Outcome* const out_;
  uint64_t segmentFile_ = 0;
  uint64_t segmentBytes_ = 0;
  std::vector<iovec> segment_;
  std::vector<Piece> shortPieces_;
  uint64_t shortUseful_ = 0;
  std::vector<uint8_t> buffer_;
};

class ReadBoxWorker : public Napi::AsyncWorker {
 public:
  ReadBoxWorker(const Napi::Env& env, int fd, std::vector<Chunk> chunks, Side src, Side dst,
                std::vector<uint64_t> extent, uint64_t elementBytes, Napi::Uint8Array target, Mode mode)
      : Napi::AsyncWorker(env, "shardscope.readBox"),
        deferred_(Napi::Promise::Deferred::New(env)),
        fd_(fd),
        chunks_(std::move(chunks)),
        src_(std::move(src)),
        dst_(std::move(dst)),
        extent_(std::move(extent)),
        elementBytes_(elementBytes),
        target_(Napi::Persistent(target)),
        data_(target.Data()),
        mode_(mode) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    Reader reader(fd_, mode_, &outcome_);
    size_t outerDims = 0;
    uint64_t runElements = 1;
    JointRun(src_, dst_, extent_, &outerDims, &runElements);
    const uint64_t runBytes = runElements * elementBytes_;
    std::vector<uint64_t> index(outerDims, 0);
    uint64_t srcOffset = src_.firstOffset;
    uint64_t dstOffset = dst_.firstOffset;
    size_t chunk = 0;
    uint64_t chunkStart = 0;
    for (;;) {
      // The run's bytes in the tensor map to file offsets chunk by chunk; runs ascend, so the cursor only moves on.
      uint64_t at = srcOffset * elementBytes_;
      uint64_t left = runBytes;
      uint8_t* into = data_ + dstOffset * elementBytes_;
      while (left > 0) {
        while (at >= chunkStart + chunks_[chunk].length) chunkStart += chunks_[chunk++].length;
        const uint64_t take = std::min(left, chunkStart + chunks_[chunk].length - at);
        if (!reader.Add({chunks_[chunk].file + (at - chunkStart), into, take})) return;
        at += take;
        into += take;
        left -= take;
      }
      size_t dim = outerDims;
      while (dim > 0) {
        --dim;
        srcOffset += src_.strides[dim];
        dstOffset += dst_.strides[dim];
        if (++index[dim] < extent_[dim]) break;
        srcOffset -= src_.strides[dim] * extent_[dim];
        dstOffset -= dst_.strides[dim] * extent_[dim];
        index[dim] = 0;
        if (dim == 0) {
          reader.Finish();
          return;
        }
      }
      if (outerDims == 0) {
        reader.Finish();
        return;
      }
    }
  }

  void OnOK() override {
    const Napi::Env env = Env();
    Napi::Object result = Napi::Object::New(env);
    result.Set("bytes", Napi::Number::New(env, static_cast<double>(outcome_.bytes)));
    result.Set("calls", Napi::Number::New(env, static_cast<double>(outcome_.calls)));
    result.Set("coverBytes", Napi::Number::New(env, static_cast<double>(outcome_.coverBytes)));
    result.Set("mappedBytes", Napi::Number::New(env, static_cast<double>(outcome_.mappedBytes)));
    if (outcome_.error != 0) {
      result.Set("code", Napi::String::New(env, ErrnoName(outcome_.error)));
      result.Set("message", Napi::String::New(env, std::strerror(outcome_.error)));
    } else if (outcome_.eof) {
      result.Set("code", Napi::String::New(env, "EOF"));
      result.Set("message", Napi::String::New(env, "the file ended before the box did"));
    } else if (outcome_.bus) {
      result.Set("code", Napi::String::New(env, "EBUS"));
      result.Set("message", Napi::String::New(env, "the file was truncated while it was read"));
    }
    target_.Reset();
    deferred_.Resolve(result);
  }

  void OnError(const Napi::Error& error) override {
    target_.Reset();
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  const int fd_;
  const std::vector<Chunk> chunks_;
  const Side src_;
  const Side dst_;
  const std::vector<uint64_t> extent_;
  const uint64_t elementBytes_;
  // Keeps the destination alive (and its bytes where they are) until the read is done.
  Napi::Reference<Napi::Uint8Array> target_;
  uint8_t* const data_;
  const Mode mode_;
  Outcome outcome_;
};

int ReadFd(const Napi::Env& env, const Napi::Value& value, const std::string& what) {
  const uint64_t fd = ReadIndex(env, value, what);
  if (fd > 0x7fffffff) ThrowRange(env, what + " is not a file descriptor");
  return static_cast<int>(fd);
}

// [offset, length] pairs of safe integers; returns the payload's total length.
std::vector<Chunk> ReadChunks(const Napi::Env& env, const Napi::Value& value, const std::string& what,
                              uint64_t* total) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    ThrowType(env, what + " must be a Float64Array of [offset, length] pairs");
  }
  const Napi::Float64Array array = value.As<Napi::Float64Array>();
  if (array.ElementLength() % 2 != 0) ThrowRange(env, what + " must hold pairs");
  std::vector<Chunk> chunks;
  *total = 0;
  for (size_t i = 0; i < array.ElementLength(); i += 2) {
    const uint64_t offset = ReadIndex(env, Napi::Number::New(env, array[i]), what + " offset");
    const uint64_t length = ReadIndex(env, Napi::Number::New(env, array[i + 1]), what + " length");
    if (offset > kMaxSafeInteger - length || *total > kMaxSafeInteger - length) {
      ThrowRange(env, what + " ends beyond 2^53");
    }
    if (length == 0) continue;
    chunks.push_back({offset, length});
    *total += length;
  }
  return chunks;
}

Mode ReadMode(const Napi::Env& env, const Napi::Value& value) {
  if (value.IsUndefined()) return Mode::kAuto;
  const std::string name = value.IsString() ? value.As<Napi::String>().Utf8Value() : "";
  if (name == "auto") return Mode::kAuto;
  if (name == "pread") return Mode::kPread;
  if (name == "cover") return Mode::kCover;
  if (name == "map") return Mode::kMap;
  ThrowType(env, "readBox: mode must be auto, pread, cover or map");
}

class AdviseWorker : public Napi::AsyncWorker {
 public:
  AdviseWorker(const Napi::Env& env, int fd, std::vector<Chunk> ranges)
      : Napi::AsyncWorker(env, "shardscope.adviseWillNeed"),
        deferred_(Napi::Promise::Deferred::New(env)),
        fd_(fd),
        ranges_(std::move(ranges)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override {
#if defined(__linux__)
    for (const Chunk& range : ranges_) {
      posix_fadvise(fd_, static_cast<off_t>(range.file), static_cast<off_t>(range.length), POSIX_FADV_WILLNEED);
    }
#endif
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error&) override { deferred_.Resolve(Env().Undefined()); }

 private:
  Napi::Promise::Deferred deferred_;
  const int fd_;
  const std::vector<Chunk> ranges_;
};

}  // namespace

Napi::Value ReadBox(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowType(env, "readBox: expected one argument object");
  const Napi::Object args = info[0].As<Napi::Object>();
  // Every property is read before any pointer is taken: a getter could run JavaScript.
  const int fd = ReadFd(env, args.Get("fd"), "readBox: fd");
  uint64_t payload = 0;
  std::vector<Chunk> chunks = ReadChunks(env, args.Get("chunks"), "readBox: chunks", &payload);
  Side src = ReadSide(env, args, "src", "readBox", false);
  Side dst = ReadSide(env, args, "dst", "readBox");
  std::vector<uint64_t> extent = ReadIndexList(env, args.Get("extent"), "readBox: extent");
  const uint64_t elementBytes = ReadIndex(env, args.Get("elementBytes"), "readBox: elementBytes");
  if (elementBytes == 0) ThrowRange(env, "readBox: elementBytes must be at least 1");
  const Mode mode = ReadMode(env, args.Get("mode"));
  Napi::Uint8Array target = ReadBytes(env, args.Get("dst"), "readBox: dst");
  const bool srcBox = Locate(env, src, extent, elementBytes, payload, "readBox");
  const bool dstBox = Locate(env, dst, extent, elementBytes, target.ByteLength(), "readBox");
  if (!srcBox || !dstBox) {
    // An empty box: nothing to read.
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    Napi::Object result = Napi::Object::New(env);
    for (const char* key : {"bytes", "calls", "coverBytes", "mappedBytes"}) result.Set(key, Napi::Number::New(env, 0));
    done.Resolve(result);
    return done.Promise();
  }
  auto* worker = new ReadBoxWorker(env, fd, std::move(chunks), std::move(src), std::move(dst), std::move(extent),
                                   elementBytes, target, mode);
  const Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value AdviseWillNeed(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  if (info.Length() < 2) ThrowType(env, "adviseWillNeed: expected (fd, ranges)");
  const int fd = ReadFd(env, info[0], "adviseWillNeed: fd");
  uint64_t total = 0;
  std::vector<Chunk> ranges = ReadChunks(env, info[1], "adviseWillNeed: ranges", &total);
  auto* worker = new AdviseWorker(env, fd, std::move(ranges));
  const Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace shardscope
