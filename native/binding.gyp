{
  "targets": [
    {
      "target_name": "shardscope_native",
      "sources": [
        "src/addon.cc",
        "src/js_args.cc",
        "src/box_args.cc",
        "src/bus_guard.cc",
        "src/copy_box.cc",
        "src/cast_floats.cc",
        "src/copy_file_range.cc",
        "src/errno_name.cc",
        "src/read_box.cc",
        "src/dynamic_library.cc",
        "src/npu_probe.cc",
        "src/npu_probe_dcmi.cc",
        "src/npu_probe_acl.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-O3", "-std=c++17"],
      "conditions": [
        ["OS=='linux'", { "libraries": ["-ldl"] }]
      ],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/O2"] }
      }
    }
  ]
}
