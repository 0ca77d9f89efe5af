#!/usr/bin/python3
"""make_spm_fixture.py: makes native-tests/fixtures/spm_llamacpp.json, the proof that sllm's spm
tokenizer encodes as llama.cpp does. Run once by hand (not part of npm test or CI):

  1. trains a SentencePiece BPE vocabulary (1000 pieces, byte fallback) on tinyshakespeare
     with Debian's python3-sentencepiece, and appends one user-defined token;
  2. writes it as a vocabulary-only GGUF (tokenizer.ggml.model = "llama") with gguf-py;
  3. tokenizes the adversarial table (native-tests/data/tokenizer_cases.json), extra SentencePiece
     cases and a tinyshakespeare excerpt with llama.cpp itself (llama_tokenize, through
     llama_tool.cpp beside this script);
  4. writes the vocabulary (SLLM "spm" form) and llama.cpp's ids as the fixture.

Usage: make_spm_fixture.py LLAMA_CPP_DIR LLAMA_TOOL (a llama.cpp checkout with gguf-py/, and
llama_tool.cpp compiled against its CPU build). Neither llama.cpp nor its outputs other than the
ids are committed.
"""
import json
import os
import subprocess
import sys
import tempfile

import sentencepiece as spm

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
llama, tool = sys.argv[1], sys.argv[2]
sys.path.insert(0, os.path.join(llama, "gguf-py"))
import gguf  # noqa: E402

corpus = open(os.path.join(root, "..", "shared", "data", "tinyshakespeare.txt"), encoding="utf-8").read()
work = tempfile.mkdtemp()
spm.SentencePieceTrainer.train(
    sentence_iterator=iter(corpus.splitlines()), model_prefix=os.path.join(work, "sp"), model_type="bpe",
    vocab_size=1000, byte_fallback=True, character_coverage=1.0, split_digits=True,
    num_threads=1, minloglevel=2)
sp = spm.SentencePieceProcessor(model_file=os.path.join(work, "sp.model"))
tokens, scores, types = [], [], []
for i in range(sp.get_piece_size()):
    tokens.append(sp.id_to_piece(i))
    scores.append(sp.get_score(i))
    types.append(2 if sp.is_unknown(i) else 3 if sp.is_control(i) else 5 if sp.is_unused(i) else 6 if sp.is_byte(i) else 1)
tokens.append("<|sep|>")  # a user-defined token: always matched whole in text
scores.append(0.0)
types.append(4)

path = os.path.join(work, "vocab.gguf")
w = gguf.GGUFWriter(path, "llama")
w.add_context_length(64)
w.add_embedding_length(32)
w.add_block_count(1)
w.add_feed_forward_length(64)
w.add_head_count(2)
w.add_layer_norm_rms_eps(1e-5)
w.add_tokenizer_model("llama")
w.add_token_list(tokens)
w.add_token_scores(scores)
w.add_token_types(types)
w.add_bos_token_id(sp.bos_id())
w.add_eos_token_id(sp.eos_id())
w.add_unk_token_id(sp.unk_id())
w.add_add_bos_token(True)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()


def llama_ids(text, parse_special):
    f = os.path.join(work, "text.txt")
    open(f, "wb").write(text.encode("utf-8"))
    args = [tool, "tokenize", path, f] + (["special"] if parse_special else [])
    out = subprocess.run(args, check=True, capture_output=True).stdout.decode()
    return json.loads(out.strip().splitlines()[-1])


table = json.load(open(os.path.join(root, "native-tests", "data", "tokenizer_cases.json"), encoding="utf-8"))
texts = [(c["name"], c["text"]) for c in table["cases"]]
texts += [
    ("leading space", " hello world"), ("space run inside", "a    b"), ("visible space char", "a\u2581b \u2581"),
    ("control token text", "<s>hello</s> <unk>"), ("user-defined token", "one<|sep|>two <|sep|> three<|sep|>"),
    ("byte token text", "<0x41> and <0x0A>"), ("ties", "aaaa bbbb abab"),
]
cases = []
for name, text in texts:
    cases.append({"name": name, "text": text, "special": False, "ids": llama_ids(text, False)})
for name, text in texts[-4:]:
    cases.append({"name": name + " (special)", "text": text, "special": True, "ids": llama_ids(text, True)})
excerpt = corpus[:3000]
fixture = {
    "about": "SentencePiece BPE vocabulary (python3-sentencepiece, tinyshakespeare, byte fallback) and the ids "
             "llama.cpp's llama_tokenize gives (no BOS). Made by scripts/make_spm_fixture.py.",
    "tokenizer": {"type": "spm", "tokens": tokens, "scores": scores, "token_types": types, "byte_fallback": True,
                  "add_space_prefix": True, "add_bos": True,
                  "special": {"unk": sp.unk_id(), "bos": sp.bos_id(), "eos": sp.eos_id()}},
    "cases": cases,
    "excerpt_chars": len(excerpt),
    "excerpt_ids": llama_ids(excerpt, False),
}
out = os.path.join(root, "native-tests", "fixtures", "spm_llamacpp.json")
with open(out, "w", encoding="utf-8") as f:
    json.dump(fixture, f, ensure_ascii=False, separators=(",", ":"))
print(f"wrote {out}: {len(tokens)} tokens, {len(cases)} cases, {len(fixture['excerpt_ids'])} excerpt ids")
