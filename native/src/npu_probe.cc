#include "npu_probe.h"

#include "js_args.h"

namespace shardscope {

namespace {

std::string ReadLibraryName(const Napi::Env& env, const Napi::Object& options, const char* key,
                            const char* fallback) {
  const Napi::Value value = options.Get(key);
  if (value.IsUndefined()) return fallback;
  if (!value.IsString()) ThrowType(env, std::string("probeNpus: ") + key + " must be a string");
  std::string name = value.As<Napi::String>().Utf8Value();
  if (name.empty() || name.size() > 4096 || name.find('\0') != std::string::npos) {
    ThrowRange(env, std::string("probeNpus: ") + key + " must be a non-empty library name or path");
  }
  return name;
}

Napi::Object ToJs(const Napi::Env& env, const ProbeOutcome& outcome, const char* source) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("available", Napi::Boolean::New(env, outcome.available));
  if (!outcome.available) {
    result.Set("reason", Napi::String::New(env, outcome.reason));
    return result;
  }
  result.Set("source", Napi::String::New(env, source));
  Napi::Array devices = Napi::Array::New(env, outcome.devices.size());
  for (size_t i = 0; i < outcome.devices.size(); ++i) {
    const NpuDevice& npu = outcome.devices[i];
    Napi::Object device = Napi::Object::New(env);
    device.Set("id", Napi::Number::New(env, static_cast<double>(npu.id)));
    if (npu.logicId >= 0) device.Set("logicId", Napi::Number::New(env, static_cast<double>(npu.logicId)));
    if (!npu.name.empty()) device.Set("name", Napi::String::New(env, npu.name));
    device.Set("hbmTotalBytes", Napi::Number::New(env, static_cast<double>(npu.hbmTotalBytes)));
    device.Set("hbmUsedBytes", Napi::Number::New(env, static_cast<double>(npu.hbmUsedBytes)));
    devices.Set(static_cast<uint32_t>(i), device);
  }
  result.Set("devices", devices);
  return result;
}

}  // namespace

Napi::Value ProbeNpus(const Napi::CallbackInfo& info) {
  const Napi::Env env = info.Env();
  Napi::Object options = Napi::Object::New(env);
  if (info.Length() > 0 && !info[0].IsUndefined()) {
    if (!info[0].IsObject()) ThrowType(env, "probeNpus: expected an options object");
    options = info[0].As<Napi::Object>();
  }
  const std::string dcmiLibrary = ReadLibraryName(env, options, "dcmiLibrary", "libdcmi.so");
  const std::string aclLibrary = ReadLibraryName(env, options, "aclLibrary", "libascendcl.so");

  // DCMI is the driver's own management interface: it needs no CANN toolkit and opens no device context.
  const ProbeOutcome dcmi = ProbeDcmi(dcmiLibrary);
  if (dcmi.available) return ToJs(env, dcmi, "dcmi");
  const ProbeOutcome acl = ProbeAcl(aclLibrary);
  if (acl.available) return ToJs(env, acl, "acl");
  return ToJs(env, ProbeOutcome::Failure("No NPU could be probed: " + dcmi.reason + "; " + acl.reason + "."), "");
}

}  // namespace shardscope
