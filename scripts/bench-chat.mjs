#!/usr/bin/env node
// bench-chat.mjs: time to first token of a 5-turn conversation through the chat API, with the
// conversation cache (each turn computes only what it adds to the previous one) and without it
// (engine.resetChat() before each turn, so the whole conversation is computed again). The
// package's main-thread engine in Node on the built dist/ (run `npm run build` first), SIMD
// build; a GPT model of random weights (dim 256, 4 layers, context 1024, character tokens):
// timings do not depend on what the weights say. Each turn is a ~100-character message and a
// 48-token reply (ignore_eos). TTFT is measured as an app sees it: from create() to the first
// content chunk of the stream, best of --runs runs. Prints a table; the last line is one JSON
// object. `npm run bench:chat`; bench:generate (issue 10) calls it for its chat part.
// Options: --runs N (default 3), --json-only.
import { createEngine } from '../dist/index.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const TURNS = 5, REPLY = 48;
const CONFIG = { contextLength: 1024, dim: 256, layers: 4, heads: 4, ffnDim: 1024 };

const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'then', 'it', 'saw', 'dog', 'ran', 'far', 'away'];
function message(turn) {
  let s = `Question ${turn + 1}:`;
  for (let i = 0; s.length < 100; i++) s += ' ' + words[(turn * 7 + i * 3) % words.length];
  return s + '?';
}

const engine = await createEngine({ backend: 'simd' });
const text = Array.from({ length: TURNS }, (_, t) => message(t)).join('\n') + '<|im_start|>system user assistant\n';
const tokenizer = await engine.createTokenizer({ type: 'char', text });
const model = await engine.createModel({ tokenizer, config: CONFIG });
engine.registerModel('bench', model);

/** One conversation of TURNS turns; returns per turn {ttftMs, promptTokens, cachedTokens}. */
async function conversation(cached) {
  const messages = [];
  const out = [];
  await engine.resetChat();
  for (let t = 0; t < TURNS; t++) {
    if (!cached) await engine.resetChat();
    messages.push({ role: 'user', content: message(t) });
    const t0 = performance.now();
    const stream = await engine.chat.completions.create({
      messages, stream: true, stream_options: { include_usage: true }, temperature: 0, max_tokens: REPLY, ignore_eos: true,
    });
    let ttft, reply = '', usage;
    for await (const chunk of stream) {
      if (ttft === undefined && chunk.choices[0]?.delta.content) ttft = performance.now() - t0;
      reply += chunk.choices[0]?.delta.content ?? '';
      usage ??= chunk.usage;
    }
    messages.push({ role: 'assistant', content: reply });
    out.push({ ttftMs: ttft, promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details.cached_tokens });
  }
  return out;
}

const best = { cached: null, cold: null };
for (let r = 0; r < runs; r++)
  for (const kind of ['cached', 'cold']) {
    const res = await conversation(kind === 'cached');
    best[kind] = best[kind] ? best[kind].map((b, i) => (res[i].ttftMs < b.ttftMs ? res[i] : b)) : res;
  }

const rows = best.cached.map((c, i) => ({
  turn: i + 1,
  prompt_tokens: c.promptTokens,
  cached_tokens: c.cachedTokens,
  ttft_ms_cache: +c.ttftMs.toFixed(1),
  ttft_ms_no_cache: +best.cold[i].ttftMs.toFixed(1),
}));
if (!args.includes('--json-only')) {
  console.log(`chat time to first token, ${TURNS}-turn conversation (${engine.backend} build, Node ${process.version}; ` +
    `GPT dim ${CONFIG.dim}, ${CONFIG.layers} layers, context ${CONFIG.contextLength}; best of ${runs} runs)`);
  console.log('turn  prompt tokens  from cache  TTFT with cache  TTFT without cache  speed-up');
  for (const r of rows)
    console.log(`${String(r.turn).padStart(4)}  ${String(r.prompt_tokens).padStart(13)}  ${String(r.cached_tokens).padStart(10)}  ` +
      `${(r.ttft_ms_cache.toFixed(1) + ' ms').padStart(15)}  ${(r.ttft_ms_no_cache.toFixed(1) + ' ms').padStart(18)}  ` +
      `${(r.ttft_ms_no_cache / r.ttft_ms_cache).toFixed(1).padStart(7)}x`);
}
const total = (k) => +rows.reduce((s, r) => s + r[k], 0).toFixed(1);
console.log(JSON.stringify({ bench: 'chat-ttft', backend: engine.backend, turns: rows, total_ttft_ms_cache: total('ttft_ms_cache'),
  total_ttft_ms_no_cache: total('ttft_ms_no_cache') }));
engine.dispose();
