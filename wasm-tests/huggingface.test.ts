// huggingface.test.ts: Hugging Face model folders through the package. The fixtures that
// scripts/hf_reference.py made (tiny GPT2LMHeadModel and LlamaForCausalLM in F32, F16 sharded and
// BF16) import with engine.importHuggingFace and give its float64 PyTorch logits (<= 1e-4
// relative); model.toHuggingFace() exports what imports back to the same model; the Worker engine
// does both; mistakes are named errors.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEngine,
  createWorkerEngine,
  SllmFormatError,
  SllmInvalidArgumentError,
  type Engine,
  type HuggingFaceFiles,
  type Model,
} from '../dist/index.js';
import { nodeWorker } from './node-worker.js';

const FIXTURES = new URL('../native-tests/fixtures/hf/', import.meta.url);
const NAMES = ['gpt2', 'gpt2-f16-sharded', 'llama', 'llama-bf16'];

function folder(name: string, prefix = ''): HuggingFaceFiles {
  const dir = new URL(`${name}/`, FIXTURES);
  const files: HuggingFaceFiles = {};
  for (const f of readdirSync(dir)) if (f !== 'reference.json') files[prefix + f] = new Uint8Array(readFileSync(new URL(f, dir)));
  return files;
}

interface Reference {
  tokens: number[][];
  logits: number[];
}
const reference = (name: string): Reference => JSON.parse(readFileSync(new URL(`${name}/reference.json`, FIXTURES), 'utf8'));

/**
 * The model's logits (B, T, V) for a batch: position t of row b is the last position of the
 * prefix tokens[b][0..t] (causal attention), through the handle's internal lastLogits binding.
 */
function logits(engine: Engine, model: Model, tokens: number[][]): Float32Array {
  const rt = (engine as unknown as { runtime: { invoke<T>(f: () => T): T } }).runtime;
  const handle = (model as unknown as { wasmHandle: { lastLogits(ids: Int32Array): Float32Array } }).wasmHandle;
  const V = model.config.vocabSize;
  const out = new Float32Array(tokens.length * tokens[0].length * V);
  tokens.forEach((row, b) =>
    row.forEach((_, t) => out.set(rt.invoke(() => handle.lastLogits(Int32Array.from(row.slice(0, t + 1)))), (b * row.length + t) * V)));
  return out;
}

function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
}, 60_000);
afterAll(() => engine.dispose());

describe('engine.importHuggingFace', () => {
  it.each(NAMES)('%s imports and gives the PyTorch reference logits', async (name) => {
    const { model, tokenizer, metadata, header } = await engine.importHuggingFace(folder(name, `${name}/`));
    const ref = reference(name);
    const rel = relativeDiff(logits(engine, model, ref.tokens), ref.logits);
    expect(rel).toBeLessThanOrEqual(1e-4);
    expect(model.config.arch).toBe(name.startsWith('llama') ? 'llama' : 'gpt');
    expect(tokenizer.vocabSize).toBe(model.config.vocabSize);
    expect(metadata.source).toBe('Hugging Face');
    expect(header.format).toBe('huggingface');
    expect((await model.generate('the', { maxTokens: 5, temperature: 0 })).length).toBeGreaterThan(0);
    model.dispose();
    tokenizer.dispose();
  });

  it('keeps the chat template and Llama 3 tokenizer settings', async () => {
    const { model, tokenizer } = await engine.importHuggingFace(folder('llama'));
    const json = await tokenizer.serialize();
    expect(json.chat_template).toContain('<|start_header_id|>');
    expect(model.chatTemplate).toBe(json.chat_template);  // what the chat API renders with
    expect([json.pretokenizer, json.add_bos]).toEqual(['llama3', true]);
    expect((await tokenizer.encode('the cat'))[0]).toBe(tokenizer.specialTokens.bos);
    expect(model.config).toMatchObject({ kvHeads: 2, heads: 4, tieEmbeddings: false });
    model.dispose();
    tokenizer.dispose();
  });

  it('model.toHuggingFace() imports back to the same model, in f32 exactly', async () => {
    const { model, tokenizer } = await engine.importHuggingFace(folder('llama'));
    const files = await model.toHuggingFace();
    expect(Object.keys(files).sort()).toEqual(
      ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'],
    );
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    expect(config).toMatchObject({ architectures: ['LlamaForCausalLM'], num_key_value_heads: 2, rope_theta: 500000 });
    const again = await engine.importHuggingFace(files);
    const ref = reference('llama');
    expect(Array.from(logits(engine, again.model, ref.tokens))).toEqual(Array.from(logits(engine, model, ref.tokens)));
    const bf16 = await model.toHuggingFace({ dtype: 'bf16', metadata: { note: 'test' } });
    expect(bf16['model.safetensors'].length).toBeLessThan(files['model.safetensors'].length * 0.6);
    for (const m of [model, tokenizer, again.model, again.tokenizer]) m.dispose();
  });

  it('names what is wrong', async () => {
    const files = folder('gpt2');
    delete files['config.json'];
    const err = await engine.importHuggingFace(files).catch((e) => e);
    expect(err).toBeInstanceOf(SllmFormatError);
    expect(err.message).toMatch(/no config.json among the files/);
    const broken = folder('llama');
    broken['config.json'] = new TextEncoder().encode(
      JSON.stringify({ ...JSON.parse(new TextDecoder().decode(broken['config.json'])), rope_scaling: { rope_type: 'yarn' } }),
    );
    await expect(engine.importHuggingFace(broken)).rejects.toThrow(/rope_scaling "yarn" is not supported/);
    await expect(engine.importHuggingFace({ 'a/config.json': new Uint8Array(1), 'b/config.json': new Uint8Array(1) }))
      .rejects.toBeInstanceOf(SllmInvalidArgumentError);
    await expect(engine.importHuggingFace(folder('gpt2'), { maxContext: -1 })).rejects.toThrow(/maxContext/);
    const { model, tokenizer } = await engine.importHuggingFace(folder('gpt2'));
    await expect(model.toHuggingFace({ dtype: 'q8_0' as 'f16' })).rejects.toThrow(/unknown dtype "q8_0"/);
    model.dispose();
    tokenizer.dispose();
  });
});

describe('Hugging Face folders through the Worker engine', () => {
  it('imports (transferring the files) and exports the same as the main-thread engine', async () => {
    const worker = await createWorkerEngine({ worker: nodeWorker() });
    try {
      const files = folder('llama-bf16');
      const { model, tokenizer } = await worker.importHuggingFace(files, { transfer: true, maxContext: 16 });
      expect(files['model.safetensors'].length).toBe(0);  // handed over, not copied
      expect(model.config.contextLength).toBe(16);
      const local = await engine.importHuggingFace(folder('llama-bf16'), { maxContext: 16 });
      expect(await model.generate('the', { maxTokens: 8, temperature: 0 })).toBe(
        await local.model.generate('the', { maxTokens: 8, temperature: 0 }),
      );
      const a = await model.toHuggingFace();
      const b = await local.model.toHuggingFace();
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      for (const k of Object.keys(a)) expect(a[k], k).toEqual(b[k]);
      tokenizer.dispose();
      local.model.dispose();
      local.tokenizer.dispose();
    } finally {
      worker.dispose();
    }
  });
});
