// sllm_tokenize.cpp: the `sllm-tokenize` tool: encodes a text file with a chosen tokenizer and
// prints ids or statistics (speed, tokens, round trip), or trains a tokenizer and saves it.
// It is also the native side of the conformance checks against JS tokenizers (--cases).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "tokenizer/bpe_tokenizer.h"
#include "tokenizer/char_tokenizer.h"
#include "tokenizer/word_tokenizer.h"

using namespace sllm;

namespace {

const char* kUsage =
    "usage: sllm-tokenize [options] FILE\n"
    "  tokenizer (one of):\n"
    "    --gpt2 DIR          GPT-2 from DIR/encoder.json and DIR/vocab.bpe\n"
    "    --tiktoken FILE     a tiktoken ranks file (e.g. r50k_base.tiktoken), <|endoftext|> after it\n"
    "    --json FILE         a tokenizer saved as JSON (the SLLM `tokenizer` member)\n"
    "    --train-bpe N       train a byte-level BPE of N tokens on FILE\n"
    "    --train-word N      train a word tokenizer of N tokens on FILE\n"
    "    --train-char        train a character tokenizer on FILE\n"
    "  output:\n"
    "    --ids               print the ids of FILE, space-separated\n"
    "    --cases             FILE is JSON {\"cases\":[{\"text\":...},...]}: print one line of ids per case\n"
    "    --pieces            with --cases: print each case's pre-tokenizer pieces as a JSON array instead\n"
    "    --bench R           encode FILE R times and report the best MB/s (default: once)\n"
    "    --save OUT          write the tokenizer JSON to OUT\n"
    "    --allow-special     recognize special-token strings in the text\n"
    "    --cache N           BPE piece-cache limit in pieces (0 disables; default 65536)\n";

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(ErrorCode::InvalidArgument, "cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void print_ids(const std::vector<int32_t>& ids) {
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) line += ' ';
    line += std::to_string(ids[i]);
  }
  std::printf("%s\n", line.c_str());
}

int run(int argc, char** argv) {
  std::string gpt2, tiktoken, json, save, file;
  int train_bpe = 0, train_word = 0, bench = 0;
  long cache = -1;
  bool train_char = false, ids = false, cases = false, pieces = false, allow_special = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(ErrorCode::InvalidArgument, a + " needs a value");
      return argv[++i];
    };
    if (a == "--gpt2") gpt2 = value();
    else if (a == "--tiktoken") tiktoken = value();
    else if (a == "--json") json = value();
    else if (a == "--train-bpe") train_bpe = std::stoi(value());
    else if (a == "--train-word") train_word = std::stoi(value());
    else if (a == "--train-char") train_char = true;
    else if (a == "--ids") ids = true;
    else if (a == "--cases") cases = true;
    else if (a == "--pieces") pieces = true;
    else if (a == "--bench") bench = std::stoi(value());
    else if (a == "--save") save = value();
    else if (a == "--allow-special") allow_special = true;
    else if (a == "--cache") cache = std::stol(value());
    else if (a == "-h" || a == "--help") { std::fputs(kUsage, stdout); return 0; }
    else if (!a.empty() && a[0] == '-') fail(ErrorCode::InvalidArgument, "unknown option " + a + "\n" + kUsage);
    else file = a;
  }
  if (file.empty()) fail(ErrorCode::InvalidArgument, std::string("no input file\n") + kUsage);
  const std::string text = read_file(file);

  const Json doc = cases ? Json::parse(text) : Json();
  if (cases && pieces) {
    for (const Json& c : doc.get("cases", Json::Type::Array).items()) {
      Json arr = Json::array();
      for (auto& p : pretokenize(c.get_string("text"))) arr.push(p);
      std::printf("%s\n", arr.dump().c_str());
    }
    return 0;
  }
  std::unique_ptr<Tokenizer> tok;
  auto t0 = std::chrono::steady_clock::now();
  if (!gpt2.empty()) {
    tok = BpeTokenizer::from_gpt2(read_file(gpt2 + "/encoder.json"), read_file(gpt2 + "/vocab.bpe"));
  } else if (!tiktoken.empty()) {
    tok = BpeTokenizer::from_tiktoken(read_file(tiktoken), {{"<|endoftext|>", 50256}});
  } else if (!json.empty()) {
    tok = Tokenizer::from_json(Json::parse(read_file(json)));
  } else if (train_bpe > 0) {
    BpeTrainOptions o;
    o.vocab_size = train_bpe;
    tok = BpeTokenizer::train(text, o);
  } else if (train_word > 0) {
    WordTokenizerOptions o;
    o.vocab_size = train_word;
    tok = WordTokenizer::train(text, o);
  } else if (train_char) {
    tok = CharTokenizer::train(text);
  } else {
    fail(ErrorCode::InvalidArgument, std::string("choose a tokenizer\n") + kUsage);
  }
  const double load_s = seconds_since(t0);
  if (auto* bpe = dynamic_cast<BpeTokenizer*>(tok.get()); bpe && cache >= 0) bpe->set_cache_limit(size_t(cache));
  if (!save.empty()) {
    std::ofstream out(save, std::ios::binary);
    out << tok->to_json().dump();
    if (!out) fail(ErrorCode::InvalidArgument, "cannot write " + save);
  }

  if (cases) {
    for (const Json& c : doc.get("cases", Json::Type::Array).items()) {
      const Json* as = c.find("allow_special");
      print_ids(tok->encode(c.get_string("text"), allow_special || (as && as->is_bool() && as->as_bool())));
    }
    return 0;
  }
  std::vector<int32_t> out;
  double best = 1e30, first = 0;
  for (int r = 0; r < std::max(1, bench); ++r) {
    auto t1 = std::chrono::steady_clock::now();
    out = tok->encode(text, allow_special);
    best = std::min(best, seconds_since(t1));
    if (r == 0) first = best;
  }
  if (ids) {
    print_ids(out);
    return 0;
  }
  const bool round_trip = tok->decode(out) == text;
  std::printf("tokenizer   %s, %d tokens (built/loaded in %.3f s)\n", tok->type().c_str(), tok->vocab_size(), load_s);
  std::printf("input       %zu bytes -> %zu tokens (%.3f bytes/token)\n", text.size(), out.size(),
              out.empty() ? 0.0 : double(text.size()) / double(out.size()));
  std::printf("encode      %.2f ms, %.1f MB/s (best of %d); first run %.1f MB/s\n", best * 1e3,
              double(text.size()) / best / 1e6, std::max(1, bench), double(text.size()) / first / 1e6);
  std::printf("round trip  %s\n", round_trip ? "exact" : "DIFFERS");
  return round_trip ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const Error& e) {
    std::fprintf(stderr, "sllm-tokenize: %s error: %s\n", error_code_name(e.code()), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sllm-tokenize: %s\n", e.what());
    return 2;
  }
}
