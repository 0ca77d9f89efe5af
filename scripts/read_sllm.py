#!/usr/bin/env python3
"""read_sllm.py: reads an SLLM v1 file with only the Python standard library.

    python3 scripts/read_sllm.py model.sllm

Prints the model, tokenizer and tensors; import read_sllm() to get the weights as lists of
floats (dequantized). The format is specified in SLLM-FORMAT.md; see docs/sllm-format.md.
"""
import json
import struct
import sys
import zlib


def dequantize(dtype, raw, n):
    if dtype == "f32":
        return list(struct.unpack(f"<{n}f", raw))
    if dtype == "f16":
        return list(struct.unpack(f"<{n}e", raw))
    out = []
    block = 34 if dtype == "q8_0" else 18
    for b in range(0, len(raw), block):
        (d,) = struct.unpack_from("<e", raw, b)
        q = raw[b + 2:b + block]
        if dtype == "q8_0":
            out += [d * v for v in struct.unpack("<32b", q)]
        else:  # q4_0: byte j holds value j (low nibble) and value j+16 (high nibble)
            out += [d * ((x & 15) - 8) for x in q] + [d * ((x >> 4) - 8) for x in q]
    return out


def read_sllm(path):
    data = open(path, "rb").read()
    magic, version, header_bytes, align = struct.unpack_from("<4sIII", data, 0)
    if magic != b"SLLM" or version != 1:
        raise ValueError("not an SLLM v1 file")
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise ValueError("checksum mismatch: the file is corrupt or truncated")
    header = json.loads(data[16:16 + header_bytes].decode("utf-8"))
    start = (16 + header_bytes + align - 1) // align * align
    weights = {}
    for t in header["tensors"]:
        n = 1
        for d in t["shape"]:
            n *= d
        raw = data[start + t["offset"]:start + t["offset"] + t["nbytes"]]
        weights[t["name"]] = (t["shape"], dequantize(t["dtype"], raw, n))
    return header, weights


if __name__ == "__main__":
    header, weights = read_sllm(sys.argv[1])
    print("model:", json.dumps(header["model"]))
    print("tokenizer:", header["tokenizer"]["type"], len(header["tokenizer"].get("tokens", [])), "tokens")
    for t in header["tensors"]:
        shape, values = weights[t["name"]]
        print(f"  {t['name']:<28} {t['dtype']:<5} {str(shape):<12} first {values[0]:+.6f}")
