// Would mmap beat pread for the executor's strided copies? Gathers a column block (equal runs at a fixed
// stride, as a tensor-parallel split of a row-major matrix) from a file into a contiguous slab three ways:
//   cover   pread the covering range through a 16 MiB buffer, then copy the runs out (today's strided path)
//   per-run one pread per run straight into the slab (today's path for long, sparse runs)
//   mmap    map the file, copy the runs out of the mapping, unmap (what an addon function could do)
// Warm: the file is in the page cache; the figure is MB per CPU-second of this process (user + system, page
// faults and kernel copies included), which a busy shared host disturbs far less than wall time. Cold:
// POSIX_FADV_DONTNEED drops this file's pages before each run; the figure is wall time, the disk being the cost.
// Usage: strided-read <file> <runBytes>:<strideBytes>...   (bench/strided-read.ts builds and runs it)
//        strided-read --drop <file>                       (evicts the file from the page cache)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr size_t kReadBuffer = 16u << 20;

struct Layout {
  size_t run;
  size_t stride;
  size_t runs;
  size_t useful() const { return run * runs; }
};

void Check(bool ok, const char* what) {
  if (!ok) {
    std::perror(what);
    std::exit(1);
  }
}

void PreadFully(int fd, unsigned char* into, size_t length, off_t at) {
  while (length > 0) {
    const ssize_t got = pread(fd, into, length, at);
    Check(got > 0, "pread");
    into += got;
    length -= static_cast<size_t>(got);
    at += got;
  }
}

void Cover(int fd, const Layout& layout, unsigned char* slab, std::vector<unsigned char>& buffer) {
  // Whole runs per window, as readRegion splits a box: the window holds `perWindow` strides.
  const size_t perWindow = std::max<size_t>(1, kReadBuffer / layout.stride);
  for (size_t first = 0; first < layout.runs; first += perWindow) {
    const size_t count = std::min(perWindow, layout.runs - first);
    const size_t cover = (count - 1) * layout.stride + layout.run;
    PreadFully(fd, buffer.data(), cover, static_cast<off_t>(first * layout.stride));
    for (size_t i = 0; i < count; ++i) {
      std::memcpy(slab + (first + i) * layout.run, buffer.data() + i * layout.stride, layout.run);
    }
  }
}

void PerRun(int fd, const Layout& layout, unsigned char* slab) {
  for (size_t i = 0; i < layout.runs; ++i) {
    PreadFully(fd, slab + i * layout.run, layout.run, static_cast<off_t>(i * layout.stride));
  }
}

// Maps the file for each gather, as a conversion reading every byte once would: the page faults are part of
// the price. `sequential` asks the kernel for aggressive read-ahead.
void Mapped(int fd, size_t size, const Layout& layout, unsigned char* slab, bool sequential) {
  void* map = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
  Check(map != MAP_FAILED, "mmap");
  if (sequential) Check(madvise(map, size, MADV_SEQUENTIAL) == 0, "madvise");
  const auto* bytes = static_cast<const unsigned char*>(map);
  for (size_t i = 0; i < layout.runs; ++i) std::memcpy(slab + i * layout.run, bytes + i * layout.stride, layout.run);
  Check(munmap(map, size) == 0, "munmap");
}

double Seconds(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// MB/s of useful bytes for each gather, best of several rounds. Rounds alternate the gathers, so that a burst
// of load from elsewhere on the machine hits all of them alike; round 0 is the warm-up (page faults in the slab).
std::vector<double> BestMegabytesPerSecond(const Layout& layout, int fd, bool cold,
                                           const std::vector<std::function<void()>>& gathers) {
  std::vector<double> best(gathers.size(), 1e30);
  for (int round = 0; round < (cold ? 4 : 8); ++round) {
    for (size_t i = 0; i < gathers.size(); ++i) {
      if (cold) Check(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, "posix_fadvise");
      const clockid_t clock = cold ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID;
      const double started = Seconds(clock);
      gathers[i]();
      const double seconds = Seconds(clock) - started;
      if (round > 0) best[i] = std::min(best[i], seconds);
    }
  }
  for (double& figure : best) figure = static_cast<double>(layout.useful()) / figure / 1e6;
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <file> <runBytes>:<strideBytes>...\n", argv[0]);
    return 2;
  }
  if (std::strcmp(argv[1], "--drop") == 0) {
    const int fd = open(argv[2], O_RDONLY);
    Check(fd >= 0 && posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0, argv[2]);
    return close(fd);
  }
  const int fd = open(argv[1], O_RDONLY);
  Check(fd >= 0, argv[1]);
  struct stat info;
  Check(fstat(fd, &info) == 0, "fstat");
  const size_t size = static_cast<size_t>(info.st_size);
  std::vector<unsigned char> buffer(kReadBuffer);

  std::printf("%-26s %-11s %9s %9s %9s %9s   (MB/s of useful bytes)\n", "runs", "cache", "cover", "per-run",
              "mmap", "mmap+seq");
  for (int arg = 2; arg < argc; ++arg) {
    Layout layout{};
    Check(std::sscanf(argv[arg], "%zu:%zu", &layout.run, &layout.stride) == 2, "layout");
    layout.runs = (size - layout.run) / layout.stride + 1;
    std::vector<unsigned char> slab(layout.useful());
    char label[64];
    std::snprintf(label, sizeof label, "%zu B of every %zu B", layout.run, layout.stride);
    for (const bool cold : {false, true}) {
      const std::vector<double> figures = BestMegabytesPerSecond(
          layout, fd, cold,
          {[&] { Cover(fd, layout, slab.data(), buffer); }, [&] { PerRun(fd, layout, slab.data()); },
           [&] { Mapped(fd, size, layout, slab.data(), false); }, [&] { Mapped(fd, size, layout, slab.data(), true); }});
      std::printf("%-26s %-11s %9.0f %9.0f %9.0f %9.0f\n", label, cold ? "cold, wall" : "warm, CPU", figures[0],
                  figures[1], figures[2], figures[3]);
      std::fflush(stdout);
    }
  }
  close(fd);
  return 0;
}
