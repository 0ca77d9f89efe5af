// sllm-file.ts (internal): reads what the model store needs of an SLLM file without the wasm
// engine: checks 1 to 8 of the format spec (magic, version, alignment, header length, CRC-32,
// the JSON header's members, the tensor table, the exact size; check 9, the tensor set against
// the architecture, is the engine's), with the C++ reader's messages, and the facts a catalog
// shows (architecture, tokenizer, dominant weight dtype, checkpoint step, metadata).

import { SllmFormatError } from '../errors.js';
import { crc32 } from './crc32.js';
import type { SavedModelArch, SavedModelInfo } from './types.js';

/** @internal What the store reads from a valid file: the file's part of a {@link SavedModelInfo}. */
export type SllmFileFacts = Pick<SavedModelInfo, 'kind' | 'arch' | 'tokenizer' | 'dtype' | 'step' | 'metadata' | 'adapter'>;

const MAX_HEADER_BYTES = 64 << 20;
const BYTES_PER_BLOCK: Record<string, [values: number, bytes: number]> = {
  f32: [1, 4],
  f16: [1, 2],
  q8_0: [32, 34],
  q4_0: [32, 18],
};

const bad = (msg: string): never => {
  throw new SllmFormatError(`invalid SLLM file: ${msg}`);
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isWhole = (v: unknown, min: number): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

interface Tensor {
  name: string;
  dtype: string;
  numel: number;
  dims: number;
  offset: number;
  nbytes: number;
}

function parseTensor(e: unknown, index: number, alignment: number, dataSize: number): Tensor {
  let where = `tensor ${index}`;
  if (!isObject(e)) return bad(`${where} is not an object`);
  if (typeof e.name !== 'string' || e.name === '') return bad(`${where} has no name`);
  where += ` "${e.name}"`;
  const layout = typeof e.dtype === 'string' && Object.hasOwn(BYTES_PER_BLOCK, e.dtype) ? BYTES_PER_BLOCK[e.dtype] : undefined;
  if (!layout)
    return bad(`${where}: unknown dtype${typeof e.dtype === 'string' ? ` "${e.dtype}"` : ''}`);
  const shape = e.shape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 8)
    return bad(`${where}: shape must be an array of 1 to 8 dimensions`);
  let numel = 1;
  for (const d of shape) {
    if (!isWhole(d, 1) || d > 2 ** 40) return bad(`${where}: every dimension must be a whole number >= 1`);
    numel *= d;
    if (numel > 2 ** 40) return bad(`${where}: more than 2^40 elements`);
  }
  for (const key of ['offset', 'nbytes'] as const)
    if (!isWhole(e[key], 0)) return bad(`${where}: "${key}" must be a whole number >= 0`);
  const offset = e.offset as number;
  const nbytes = e.nbytes as number;
  const [perBlock, blockBytes] = layout;
  if (perBlock > 1 && (shape[shape.length - 1] as number) % perBlock !== 0)
    return bad(`${where}: ${e.dtype as string} needs an innermost dimension that is a multiple of 32`);
  const expect = (numel / perBlock) * blockBytes;
  if (nbytes !== expect) return bad(`${where}: nbytes ${nbytes} does not match its dtype and shape (${expect})`);
  if (offset % alignment !== 0) return bad(`${where}: offset is not a multiple of the alignment`);
  if (offset > dataSize || nbytes > dataSize - offset) return bad(`${where}: data runs past the end of the data section`);
  return { name: e.name, dtype: e.dtype as string, numel, dims: shape.length, offset, nbytes };
}

/** The dtype holding most of the weight matrices' values (the file's "format"). */
function dominantDtype(tensors: Tensor[]): string {
  const values = new Map<string, number>();
  const weights = tensors.filter((t) => !t.name.startsWith('optim.'));
  const matrices = weights.filter((t) => t.dims >= 2);
  for (const t of matrices.length ? matrices : weights) values.set(t.dtype, (values.get(t.dtype) ?? 0) + t.numel);
  let best = 'f32';
  let most = -1;
  for (const [dtype, n] of values)
    if (n > most) {
      best = dtype;
      most = n;
    }
  return best;
}

function modelArch(model: Record<string, unknown>): SavedModelArch {
  const arch = model.arch;
  if (typeof arch !== 'string' || arch === '') return bad('the header\'s "model" has no "arch"');
  const whole = (key: string): number => {
    const v = model[key];
    if (!isWhole(v, 1)) return bad(`the header's "model": "${key}" must be a whole number >= 1`);
    return v;
  };
  return {
    arch,
    layers: whole('layers'),
    dim: whole('dim'),
    heads: whole('heads'),
    vocabSize: whole('vocab_size'),
    contextLength: whole('context_length'),
  };
}

const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/**
 * @internal Validates bytes as an SLLM file (checks 1 to 8 of the spec) and returns what the
 * catalog shows. Throws SllmFormatError naming the failed check.
 */
export function readSllmFile(bytes: Uint8Array): SllmFileFacts {
  if (!(bytes instanceof Uint8Array)) throw new SllmFormatError('an SLLM file must be given as a Uint8Array');
  const size = bytes.length;
  // 1-4: size, magic, version, alignment, header length
  if (size < 20) bad(`the file is ${size} bytes; an SLLM file has at least 20 (truncated?)`);
  if (bytes[0] === 0x47 && bytes[1] === 0x47 && bytes[2] === 0x55 && bytes[3] === 0x46)
    throw new SllmFormatError(
      'this is a GGUF file; the store keeps SLLM files: load it with engine.loadModel(bytes) and store await model.save()',
    );
  if (bytes[0] !== 0x53 || bytes[1] !== 0x4c || bytes[2] !== 0x4c || bytes[3] !== 0x4d)
    bad('bad magic: this is not an SLLM model file');
  const version = u32(bytes, 4);
  if (version !== 1) throw new SllmFormatError(`unsupported SLLM version ${version}; this build reads 1`);
  const align = u32(bytes, 12);
  if (align < 8 || align > 4096 || (align & (align - 1)) !== 0)
    bad(`alignment ${align} is not a power of two from 8 to 4096`);
  const H = u32(bytes, 8);
  if (H > MAX_HEADER_BYTES) bad(`header length ${H} exceeds 64 MiB`);
  if (16 + H > size - 4) bad(`header length ${H} runs past the end of the file (truncated?)`);
  // 5: checksum
  if (crc32(bytes.subarray(0, size - 4)) !== u32(bytes, size - 4))
    throw new SllmFormatError('checksum mismatch: the file is corrupt or truncated');
  // 6: the JSON header
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(16, 16 + H)));
  } catch (e) {
    bad(`the header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(header)) return bad('the header is not a JSON object');
  const { model, tokenizer, tensors, training, metadata } = header;
  if (!isObject(model)) bad('the header\'s "model" member is missing or not an object');
  if (!isObject(tokenizer)) bad('the header\'s "tokenizer" member is missing or not an object');
  if (!Array.isArray(tensors)) bad('the header\'s "tensors" member is missing or not an array');
  if (training !== undefined && !isObject(training)) bad('the header\'s "training" member is not an object');
  if (metadata !== undefined && !isObject(metadata)) bad('the header\'s "metadata" member is not an object');
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries((metadata as Record<string, unknown> | undefined) ?? {})) {
    if (typeof v !== 'string') bad(`metadata "${k}" is not a string`);
    meta[k] = v as string;
  }
  const dataStart = Math.ceil((16 + H) / align) * align;
  if (dataStart > size - 4) bad('the data section starts past the end of the file (truncated?)');
  for (let i = 16 + H; i < dataStart; i++) if (bytes[i] !== 0) bad('the padding after the header is not zero bytes');
  const dataSize = size - 4 - dataStart;
  // 7: every tensor
  const table = (tensors as unknown[]).map((t, i) => parseTensor(t, i, align, dataSize));
  const names = new Set<string>();
  for (const t of table) {
    if (names.has(t.name)) bad(`tensor name "${t.name}" appears twice`);
    names.add(t.name);
  }
  const sorted = [...table].sort((a, b) => a.offset - b.offset);
  let end = 0;
  sorted.forEach((t, i) => {
    const prev = sorted[i - 1];
    if (prev && t.offset < prev.offset + prev.nbytes) bad(`tensors "${prev.name}" and "${t.name}" overlap`);
    end = Math.max(end, t.offset + t.nbytes);
  });
  // 8: exact size
  if (size !== dataStart + end + 4) bad(`the file is ${size} bytes but its header describes ${dataStart + end + 4}`);
  const tok = tokenizer as Record<string, unknown>;
  if (typeof tok.type !== 'string') bad('the header\'s "tokenizer" has no "type"');
  const adapter = (model as Record<string, unknown>).adapter as Record<string, unknown> | undefined;
  if (adapter !== undefined && !isObject(adapter)) bad('the header\'s "model": "adapter" is not an object');
  const facts: SllmFileFacts = {
    kind: training !== undefined ? 'checkpoint' : adapter ? 'adapter' : 'model',
    arch: modelArch(model as Record<string, unknown>),
    tokenizer: tok.type as string,
    dtype: dominantDtype(table),
    metadata: meta,
  };
  const step = (training as Record<string, unknown> | undefined)?.step;
  if (typeof step === 'number') facts.step = step;
  if (adapter) {
    if (!isWhole(adapter.rank, 1)) bad('the adapter\'s "rank" must be a whole number >= 1');
    if (typeof adapter.base !== 'string') bad('the adapter\'s "base" must be the base model\'s checksum');
    facts.adapter = { rank: adapter.rank as number, base: adapter.base as string };
  }
  return facts;
}
