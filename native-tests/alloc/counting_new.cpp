// counting_new.cpp: replaces the global operator new/delete of the allocation test executable
// with versions that count the bytes live on the heap and their peak (malloc_usable_size, so
// the count is what the allocator really handed out), for tests that bound what code allocates.
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "counting_new.h"

namespace {
std::atomic<size_t> g_live{0}, g_peak{0};

void* take(size_t n, size_t align) {
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align) : std::malloc(n);
  if (!p) return nullptr;
  size_t live = g_live += malloc_usable_size(p);
  size_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return p;
}
void give(void* p) noexcept {
  if (!p) return;
  g_live -= malloc_usable_size(p);
  std::free(p);
}
void* take_or_throw(size_t n, size_t align) {
  void* p = take(n, align);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

namespace sllm::test {
size_t heap_live() { return g_live.load(); }
size_t heap_peak() { return g_peak.load(); }
void heap_reset_peak() { g_peak.store(g_live.load()); }
}  // namespace sllm::test

void* operator new(size_t n) { return take_or_throw(n, 0); }
void* operator new[](size_t n) { return take_or_throw(n, 0); }
void* operator new(size_t n, std::align_val_t a) { return take_or_throw(n, size_t(a)); }
void* operator new[](size_t n, std::align_val_t a) { return take_or_throw(n, size_t(a)); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return take(n, 0); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept { return take(n, 0); }
void operator delete(void* p) noexcept { give(p); }
void operator delete[](void* p) noexcept { give(p); }
void operator delete(void* p, size_t) noexcept { give(p); }
void operator delete[](void* p, size_t) noexcept { give(p); }
void operator delete(void* p, std::align_val_t) noexcept { give(p); }
void operator delete[](void* p, std::align_val_t) noexcept { give(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { give(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { give(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { give(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { give(p); }
