// counting_new.h: the heap counters of counting_new.cpp (bytes live now, and the peak since the
// last reset), for the allocation tests.
#pragma once
#include <cstddef>

namespace sllm::test {
size_t heap_live();
size_t heap_peak();
void heap_reset_peak();
}  // namespace sllm::test
