// safetensors.cpp: the safetensors header reader declared in safetensors.h. The checks, in
// order: the length prefix (present, at most 100 MB, within the file); the header is a JSON
// object (UTF-8, no duplicate names); __metadata__ maps strings to strings; every tensor has a
// known dtype, a shape of whole numbers >= 0 and data_offsets [begin, end] with begin <= end <=
// the data's size and end - begin what dtype and shape need; and, in offset order, the tensors
// cover the data exactly: no overlap, no hole, no unused bytes at the end.
#include "format/safetensors.h"

#include <algorithm>
#include <cmath>

#include "core/json_reader.h"
#include "format/dtype.h"

namespace sllm {

namespace {

struct DtypeInfo {
  StType type;
  const char* name;
  uint8_t bytes;
};
constexpr DtypeInfo kDtypes[] = {
    {StType::BOOL, "BOOL", 1}, {StType::U8, "U8", 1},   {StType::I8, "I8", 1},     {StType::F8_E5M2, "F8_E5M2", 1},
    {StType::F8_E4M3, "F8_E4M3", 1}, {StType::I16, "I16", 2}, {StType::U16, "U16", 2}, {StType::F16, "F16", 2},
    {StType::BF16, "BF16", 2}, {StType::I32, "I32", 4}, {StType::U32, "U32", 4}, {StType::F32, "F32", 4},
    {StType::F64, "F64", 8},   {StType::I64, "I64", 8}, {StType::U64, "U64", 8},
};

constexpr uint64_t kMaxNumel = uint64_t(1) << 44;
constexpr size_t kMaxRank = 64;

class Parser {
 public:
  Parser(std::string_view json, uint64_t data_bytes, const std::string& file)
      : r_(json, 64, json.size() * 16 + 65536), data_bytes_(data_bytes), file_(file) {}

  StHeader run() {
    StHeader h;
    reading([&] {
      if (r_.peek_value() != '{') bad("the header is not a JSON object");
      r_.begin_object();
      std::string key;
      while (r_.next_member(key)) {
        r_.peek_value();
        if (key == "__metadata__") {
          if (seen_metadata_) bad("the header has \"__metadata__\" twice");
          seen_metadata_ = true;
          read_metadata(h);
        } else {
          h.tensors.push_back(read_tensor(key));
        }
      }
      r_.end();
    });
    check_names(h);
    check_coverage(h);
    return h;
  }

 private:
  JsonReader r_;
  uint64_t data_bytes_;
  const std::string& file_;
  bool seen_metadata_ = false;

  [[noreturn]] void bad(const std::string& msg) const {
    fail(ErrorCode::Format, "invalid safetensors file " + file_ + ": " + msg);
  }
  template <typename F>
  void reading(F&& f) {
    try {
      f();
    } catch (const Error& e) {
      if (e.code() == ErrorCode::Format) throw;
      bad(std::string("the header is not valid UTF-8 JSON (") + e.what() + ")");
    }
  }
  Json value() { return r_.entry_value(); }  // freed before the next one is read

  void read_metadata(StHeader& h) {
    if (r_.peek_value() != '{') bad("\"__metadata__\" must be an object of strings");
    Json m = value();
    for (auto& [k, v] : m.members()) {
      if (!v.is_string()) bad("\"__metadata__\" member \"" + k + "\" is not a string");
      h.metadata.emplace_back(k, v.as_string());
    }
  }

  StTensor read_tensor(const std::string& name) {
    const std::string where = "tensor \"" + name + "\"";
    if (r_.peek_value() != '{') bad(where + " is not an object");
    Json e = value();
    StTensor t;
    t.name = name;
    const Json* dtype = e.find("dtype");
    if (!dtype || !dtype->is_string()) bad(where + " has no \"dtype\" string");
    auto it = std::find_if(std::begin(kDtypes), std::end(kDtypes), [&](const DtypeInfo& d) { return dtype->as_string() == d.name; });
    if (it == std::end(kDtypes)) bad(where + " has an unknown dtype \"" + dtype->as_string() + "\"");
    t.dtype = it->type;
    const Json* shape = e.find("shape");
    if (!shape || !shape->is_array() || shape->size() > kMaxRank)
      bad(where + ": \"shape\" must be an array of at most " + std::to_string(kMaxRank) + " dimensions");
    uint64_t numel = 1;
    for (const Json& d : shape->items()) {
      double v = d.is_number() ? d.as_number() : -1;
      if (!(v >= 0) || v != std::floor(v) || v > double(kMaxNumel)) bad(where + ": every dimension must be a whole number >= 0");
      t.shape.push_back(int64_t(v));
      numel *= uint64_t(v);
      if (numel > kMaxNumel) bad(where + ": more than 2^44 elements");
    }
    const Json* off = e.find("data_offsets");
    if (!off || !off->is_array() || off->size() != 2) bad(where + ": \"data_offsets\" must be [begin, end]");
    uint64_t o[2];
    for (int i = 0; i < 2; ++i) {
      const Json& v = off->items()[size_t(i)];
      double d = v.is_number() ? v.as_number() : -1;
      if (!(d >= 0) || d != std::floor(d) || d > 9007199254740991.0)
        bad(where + ": \"data_offsets\" must be two whole numbers >= 0");
      o[i] = uint64_t(d);
    }
    t.begin = o[0], t.end = o[1];
    const std::string range = "data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "]";
    if (t.end < t.begin) bad(where + ": " + range + " ends before they begin");
    if (t.end > data_bytes_)
      bad(where + ": " + range + " run past the end of the data (" + std::to_string(data_bytes_) +
          " bytes after the header); the file is truncated or the offsets are wrong");
    if (t.end - t.begin != numel * it->bytes)
      bad(where + ": dtype " + it->name + " and shape " + shape_str(t.shape) + " need " +
          std::to_string(numel * it->bytes) + " bytes, but " + range + " hold " + std::to_string(t.end - t.begin));
    return t;
  }

  void check_names(StHeader& h) {
    h.by_name.resize(h.tensors.size());
    for (size_t i = 0; i < h.tensors.size(); ++i) h.by_name[i] = uint32_t(i);
    std::sort(h.by_name.begin(), h.by_name.end(), [&](uint32_t a, uint32_t b) { return h.tensors[a].name < h.tensors[b].name; });
    for (size_t i = 1; i < h.by_name.size(); ++i)
      if (h.tensors[h.by_name[i]].name == h.tensors[h.by_name[i - 1]].name)
        bad("the header names tensor \"" + h.tensors[h.by_name[i]].name + "\" twice");
  }

  void check_coverage(const StHeader& h) {
    std::vector<uint32_t> order(h.tensors.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = uint32_t(i);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      const StTensor &x = h.tensors[a], &y = h.tensors[b];
      return x.begin != y.begin ? x.begin < y.begin : x.end < y.end;
    });
    uint64_t at = 0;
    const StTensor* prev = nullptr;
    for (uint32_t i : order) {
      const StTensor& t = h.tensors[i];
      if (t.begin < at)
        bad("tensors \"" + prev->name + "\" and \"" + t.name + "\" overlap (at byte " + std::to_string(t.begin) + " of the data)");
      if (t.begin > at)
        bad("bytes " + std::to_string(at) + " to " + std::to_string(t.begin) +
            " of the data belong to no tensor; the format allows no holes");
      at = t.end;
      if (t.end > t.begin) prev = &t;
    }
    if (at != data_bytes_)
      bad("the last " + std::to_string(data_bytes_ - at) + " bytes of the file belong to no tensor; the format allows no unused bytes");
  }
};

}  // namespace

const char* st_type_name(StType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d.name;
  return "?";
}

size_t st_type_bytes(StType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d.bytes;
  return 0;
}

uint64_t StTensor::numel() const {
  uint64_t n = 1;
  for (int64_t d : shape) n *= uint64_t(d);
  return n;
}

const StTensor* StHeader::find(std::string_view name) const {
  auto it = std::lower_bound(by_name.begin(), by_name.end(), name,
                             [&](uint32_t i, std::string_view n) { return tensors[i].name < n; });
  return it != by_name.end() && tensors[*it].name == name ? &tensors[*it] : nullptr;
}

StHeader parse_safetensors_header(std::string_view json, uint64_t data_bytes, const std::string& file_name) {
  return Parser(json, data_bytes, file_name).run();
}

StHeader read_safetensors_header(const ByteSource& file, const std::string& file_name) {
  auto bad = [&](const std::string& msg) { fail(ErrorCode::Format, "invalid safetensors file " + file_name + ": " + msg); };
  const uint64_t size = file.size();
  if (size < 8) bad("it is " + std::to_string(size) + " bytes, too short for the 8-byte header length");
  uint8_t b[8];
  file.read(0, 8, b);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | b[i];
  if (n > kMaxSafetensorsHeader)
    bad("the header length " + std::to_string(n) + " is over the format's limit of 100 MB");
  if (n > size - 8)
    bad("the header length " + std::to_string(n) + " runs past the end of the file (" + std::to_string(size) +
        " bytes); the file is truncated or not a safetensors file");
  std::string json(size_t(n), '\0');
  if (n) file.read(8, size_t(n), json.data());
  if (n == 0 || json[0] != '{') bad("the header does not start with '{'; this is not a safetensors file");
  StHeader h = parse_safetensors_header(json, size - 8 - n, file_name);
  h.data_start = 8 + n;
  return h;
}

}  // namespace sllm
