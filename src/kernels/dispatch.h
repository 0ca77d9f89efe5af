// dispatch.h: picks a kernel's best compiled version. Each kernel has a portable scalar
// version (suffix _ref) and, when compiled for wasm with -msimd128 (__wasm_simd128__), a
// wasm-simd128 version (suffix _simd128); SLLM_KERNEL(name) names the one to call.
#pragma once

#if defined(__wasm_simd128__)
#define SLLM_KERNEL(name) name##_simd128
#else
#define SLLM_KERNEL(name) name##_ref
#endif
