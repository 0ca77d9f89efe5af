// generate.bench.ts: generation speed in Chromium, sllm against wllama (llama.cpp compiled to wasm,
// @wllama/wllama 3.13.0) on the same models: bench_generate_big's GPT-2-124M- and
// SmolLM-135M-shaped files (random weights) as SLLM for sllm and as GGUF for wllama, in the
// dtypes of SLLM_BENCH_DTYPES (default q8_0,q4_0,f16,f32), at 1 thread and at all of the
// machine's threads, served cross-origin isolated (both use their threads builds in workers).
// Per run: load ms, prefill tokens/s of a 128-token prompt, decode tokens/s of 128 new tokens.
// Writes build/bench-generate-browser.json; scripts/bench-generate-browser.mjs prints the table.
import { writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { ISOLATION, launch, openPage, REPO, startServer, type Browser, type Server } from '../../wasm-tests/browser/harness.js';

const SHAPES = (process.env.SLLM_BENCH_SHAPES ?? 'gpt2-124m,smollm-135m').split(',');
const DTYPES = (process.env.SLLM_BENCH_DTYPES ?? 'q8_0,q4_0,f16,f32').split(',');
const THREADS = [...new Set([1, availableParallelism()])];
const PROMPT_TOKENS = 128, NEW_TOKENS = 128;
// One character per token (bench_generate_big's tokenizer: U+0800 upward, without U+2581).
const PROMPT = Array.from({ length: PROMPT_TOKENS }, (_, i) => {
  const cp = 0x800 + ((i * 7919 + 13) % 40000);
  return String.fromCodePoint(cp >= 0x2581 ? cp + 1 : cp);
}).join('');

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer(REPO, { bareImports: true, headers: ISOLATION });
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it('sllm and wllama generate from the same models', async () => {
  const page = await openPage(browser, `${server.url}/bench/browser/generate.html`, 'bench-generate');
  const results: Record<string, unknown>[] = [];
  for (const shape of SHAPES)
    for (const dtype of DTYPES)
      for (const threads of THREADS) {
        const file = `/bench/out/big/${shape}-${dtype}`;
        const common = { threads, prompt: PROMPT, promptTokens: PROMPT_TOKENS, newTokens: NEW_TOKENS };
        const s = await page.run<Record<string, unknown>>('sllmRun', { path: `${file}.sllm`, ...common });
        results.push({ shape, dtype, asked_threads: threads, ...s });
        const w = await page.run<Record<string, unknown>>('wllamaRun', { path: `${file}.gguf`, ...common });
        results.push({ shape, dtype, asked_threads: threads, ...w });
        console.log(`${shape} ${dtype} ${threads} thread(s): sllm prefill ${Number(s.prefill).toFixed(1)} decode ` +
                    `${Number(s.decode).toFixed(2)}; wllama prefill ${Number(w.prefill).toFixed(1)} decode ${Number(w.decode).toFixed(2)}`);
      }
  await writeFile(join(REPO, 'build/bench-generate-browser.json'),
                  JSON.stringify({ prompt_tokens: PROMPT_TOKENS, new_tokens: NEW_TOKENS, threads: THREADS, results }));
  await page.finish();
});
