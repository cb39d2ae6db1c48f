#include "dynamic_library.h"

#if !defined(_WIN32)
#include <dlfcn.h>
#endif

namespace shardscope {

#if defined(_WIN32)

// Ascend drivers exist for Linux only; on Windows the probe simply finds nothing.
bool DynamicLibrary::Open(const std::string& name) {
  name_ = name;
  error_ = name + " could not be loaded (NPU probing is not supported on Windows)";
  return false;
}

void* DynamicLibrary::FindSymbol(const char*) { return nullptr; }

#else

namespace {

std::string LastDlError(const std::string& fallback) {
  const char* message = dlerror();
  return message != nullptr ? std::string(message) : fallback;
}

}  // namespace

bool DynamicLibrary::Open(const std::string& name) {
  name_ = name;
  dlerror();
  // RTLD_LOCAL keeps the driver's symbols from resolving anything else in the process.
  handle_ = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    error_ = name + " could not be loaded (" + LastDlError("dlopen failed") + ")";
    return false;
  }
  return true;
}

void* DynamicLibrary::FindSymbol(const char* symbol) {
  if (handle_ == nullptr) return nullptr;
  dlerror();
  void* address = dlsym(handle_, symbol);
  if (address == nullptr) {
    error_ = name_ + " has no " + symbol + " (" + LastDlError("dlsym returned null") + ")";
  }
  return address;
}

#endif

}  // namespace shardscope
