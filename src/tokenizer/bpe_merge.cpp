// bpe_merge.cpp: see bpe_merge.h.
#include "tokenizer/bpe_merge.h"

#include <climits>
#include <queue>

namespace sllm {

// tiktoken's loop: find the leftmost lowest-ranked pair, merge it, update its neighbours.
void bpe_merge_short(const int32_t* byte_id, const PairTable& pairs, std::string_view piece, std::vector<int32_t>& out) {
  int32_t tok[kBpeShortPiece], rank[kBpeShortPiece], made[kBpeShortPiece];
  size_t m = piece.size();
  if (m == 0) return;
  for (size_t i = 0; i < m; ++i) tok[i] = byte_id[static_cast<unsigned char>(piece[i])];
  rank[m - 1] = INT_MAX;
  made[m - 1] = -1;
  auto look = [&](size_t i) {
    const PairTable::Slot* s = pairs.find(tok[i], tok[i + 1]);
    rank[i] = s ? s->rank : INT_MAX;
    made[i] = s ? s->id : -1;
  };
  for (size_t i = 0; i + 1 < m; ++i) look(i);
  while (m > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < m; ++i)
      if (rank[i] < rank[best]) best = i;
    if (rank[best] == INT_MAX) break;
    tok[best] = made[best];
    for (size_t i = best + 1; i + 1 < m; ++i) {
      tok[i] = tok[i + 1];
      rank[i] = rank[i + 1];
      made[i] = made[i + 1];
    }
    --m;
    if (best + 1 < m) look(best);
    if (best > 0) look(best - 1);
  }
  out.insert(out.end(), tok, tok + m);
}

// The same result in O(n log n) for long pieces: a linked list of parts and a min-heap of
// (rank, position) over adjacent pairs, with stale entries skipped when popped.
void bpe_merge_long(const int32_t* byte_id, const PairTable& pairs, std::string_view piece, std::vector<int32_t>& out) {
  const int32_t n = int32_t(piece.size());
  if (n == 0) return;
  const auto len = static_cast<size_t>(n);
  std::vector<int32_t> tok(len), next(len), prev(len);
  for (int32_t i = 0; i < n; ++i) {
    tok[i] = byte_id[static_cast<unsigned char>(piece[size_t(i)])];
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  struct Entry {
    int32_t rank, pos, left, right, made;
    bool operator>(const Entry& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  auto push = [&](int32_t i) {
    if (i < 0 || next[i] < 0) return;
    if (const PairTable::Slot* s = pairs.find(tok[i], tok[next[i]])) heap.push({s->rank, i, tok[i], tok[next[i]], s->id});
  };
  for (int32_t i = 0; i + 1 < n; ++i) push(i);
  while (!heap.empty()) {
    Entry e = heap.top();
    heap.pop();
    int32_t j = next[e.pos];
    if (tok[e.pos] != e.left || j < 0 || tok[j] != e.right) continue;  // stale
    tok[e.pos] = e.made;
    tok[j] = -1;
    next[e.pos] = next[j];
    if (next[j] >= 0) prev[next[j]] = e.pos;
    push(prev[e.pos]);
    push(e.pos);
  }
  for (int32_t i = 0; i >= 0; i = next[i]) out.push_back(tok[i]);
}

}  // namespace sllm
