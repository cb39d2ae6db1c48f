// A shared library opened at run time with dlopen, so the addon has no link-time dependency on it.
#pragma once

#include <string>

namespace shardscope {

class DynamicLibrary {
 public:
  // `name` is a soname (searched like the dynamic linker does: LD_LIBRARY_PATH, the cache, the system
  // directories) or a path. Returns false and sets Error() when it cannot be loaded.
  bool Open(const std::string& name);

  // The function `symbol`, or nullptr with Error() naming it. Function is a function-pointer type.
  template <class Function>
  Function Find(const char* symbol) {
    return reinterpret_cast<Function>(FindSymbol(symbol));
  }

  const std::string& Name() const { return name_; }
  const std::string& Error() const { return error_; }

 private:
  void* FindSymbol(const char* symbol);

  // Never dlclose'd: driver libraries register exit handlers and threads, and unloading them mid-process is not
  // something they are built for. The probe runs in a short-lived child process, which ends soon after.
  void* handle_ = nullptr;
  std::string name_;
  std::string error_;
};

}  // namespace shardscope
