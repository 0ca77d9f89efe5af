// flat_table.h: the open-addressing hash tables behind BPE encoding's hot paths: PairTable
// maps a pair of token ids (packed in a u64) to the token their concatenation forms, and
// BytesTable maps a byte string to a list of ids (the vocabulary and the per-piece cache).
// Both use linear probing over a power-of-two array and never erase single entries.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sllm {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  x *= 0xd6e8feb86659fd93ULL;
  x ^= x >> 32;
  return x;
}

// A fast hash of a short byte string (values are only ever compared in memory).
inline uint64_t hash_bytes(const char* s, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(s);
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t(n) * 0xff51afd7ed558ccdULL);
  while (n > 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  uint64_t w;
  if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = (uint64_t(a) << 32) | b;
  } else {
    w = n ? (uint64_t(p[0]) << 16) | (uint64_t(p[n >> 1]) << 8) | p[n - 1] : 0;
  }
  return mix64(h ^ w);
}

class PairTable {
 public:
  struct Slot {
    uint64_t key;
    int32_t rank, id;
  };
  static uint64_t key(int32_t a, int32_t b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

  void clear() { slots_.clear(); mask_ = 0; size_ = 0; }
  size_t size() const { return size_; }

  // Adds (a, b) -> (rank, id) unless (a, b) is present; returns whether it was added.
  bool insert(int32_t a, int32_t b, int32_t rank, int32_t id) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    uint64_t k = key(a, b);
    for (size_t i = mix64(k) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key == kEmpty) {
        s = {k, rank, id};
        ++size_;
        return true;
      }
      if (s.key == k) return false;
    }
  }

  const Slot* find(int32_t a, int32_t b) const {
    if (size_ == 0) return nullptr;
    uint64_t k = key(a, b);
    for (size_t i = mix64(k) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == k) return &s;
      if (s.key == kEmpty) return nullptr;
    }
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);  // ids are < 2^31, so never a real key
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{kEmpty, 0, 0});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old)
      if (s.key != kEmpty) insert(int32_t(s.key >> 32), int32_t(uint32_t(s.key)), s.rank, s.id);
  }
  std::vector<Slot> slots_;
  size_t mask_ = 0, size_ = 0;
};

class BytesTable {
 public:
  void clear() {
    slots_.clear();
    keys_.clear();
    vals_.clear();
    mask_ = 0;
    size_ = 0;
  }
  size_t size() const { return size_; }
  size_t key_bytes() const { return keys_.size(); }
  size_t value_count() const { return vals_.size(); }

  // The ids stored for key (h = hash_bytes(key)), with their count in n; nullptr when absent.
  const int32_t* find(std::string_view key, uint64_t h, size_t& n) const {
    if (size_ == 0) return nullptr;
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key_len == 0) return nullptr;
      if (s.hash == h && s.key_len == key.size() && std::memcmp(keys_.data() + s.key_off, key.data(), key.size()) == 0) {
        n = s.val_len;
        return vals_.data() + s.val_off;
      }
    }
  }

  // Adds a non-empty key with n >= 1 ids; a key already present keeps its old ids.
  void insert(std::string_view key, uint64_t h, const int32_t* ids, size_t n) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.key_len == 0) {
        s = {h, uint32_t(keys_.size()), uint32_t(key.size()), uint32_t(vals_.size()), uint32_t(n)};
        keys_.append(key.data(), key.size());
        vals_.insert(vals_.end(), ids, ids + n);
        ++size_;
        return;
      }
      if (s.hash == h && s.key_len == key.size() && std::memcmp(keys_.data() + s.key_off, key.data(), key.size()) == 0)
        return;
    }
  }

 private:
  struct Slot {
    uint64_t hash;
    uint32_t key_off, key_len, val_off, val_len;  // key_len == 0 marks an empty slot
  };
  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{0, 0, 0, 0, 0});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key_len == 0) continue;
      size_t i = s.hash & mask_;
      while (slots_[i].key_len != 0) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::string keys_;
  std::vector<int32_t> vals_;
  size_t mask_ = 0, size_ = 0;
};

}  // namespace sllm
