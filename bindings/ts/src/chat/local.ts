// chat/local.ts (internal): the main-thread engine's completion backend. prepare() renders the
// conversation with the chat template, encodes it (special-token text becomes special tokens)
// and works out where replies stop (eos, the template's end-of-turn markers as tokens and as
// text, the request's stop strings). generate() then runs on the model's conversation cache
// (session.ts): prefill reuses the cached prefix, then one token per wasm call, stop strings
// held back across pieces (stop.ts), a turn of the event loop every few milliseconds, and the
// AbortSignal checked between tokens.

import { SllmTokenizerError } from '../errors.js';
import type { WasmModel } from '../model.js';
import { yieldToEventLoop } from '../yield.js';
import type { CompletionBackend, CompletionEvent } from './api.js';
import { invalidValue, SllmRequestError } from './errors.js';
import type { ChatTarget } from './registry.js';
import type { CompletionJob } from './request.js';
import type { WasmChatSession } from './session.js';
import { StopMatcher } from './stop.js';
import { DEFAULT_CHAT_TEMPLATE, endOfTurnMarkers, renderChatTemplate, type TemplateContext } from './template.js';
import type { ChatCompletionFinishReason, CompletionUsage } from '../types.js';

/** Longest stretch of generation (ms) between turns of the event loop (as model.stream). */
const SLICE_MS = 8;

const now = () => (typeof performance === 'object' ? performance.now() : Date.now());

/** A job ready to run: its prompt ids and where it stops. */
interface Prepared {
  ids: Int32Array;
  stopStrings: string[];
  stopIds: Set<number>;
  maxTokens: number;
}

/** The special-token strings a template may use, under Hugging Face's names. */
async function specialStrings(model: WasmModel): Promise<TemplateContext> {
  const out: TemplateContext = {};
  const tok = model.tokenizer;
  for (const name of ['bos', 'eos', 'unk', 'pad'] as const) {
    const id = tok.specialTokens[name];
    if (id !== undefined) out[`${name}_token`] = await tok.idToToken(id);
  }
  return out;
}

async function prepare(model: WasmModel, job: CompletionJob): Promise<Prepared> {
  const tok = model.tokenizer;
  let text: string;
  let stopStrings = job.stop;
  const stopIds = new Set<number>();
  if (tok.specialTokens.eos !== undefined) stopIds.add(tok.specialTokens.eos);
  if (job.kind === 'chat') {
    const template = job.chatTemplate ?? DEFAULT_CHAT_TEMPLATE;
    text = renderChatTemplate(template, job.messages!, { ...(await specialStrings(model)), add_generation_prompt: true });
    const markers = endOfTurnMarkers(template);
    stopStrings = [...stopStrings, ...markers];
    for (const m of markers) {
      const id = await tok.tokenToId(m);
      if (id !== undefined) stopIds.add(id);
    }
  } else {
    text = job.prompt!;
  }
  const param = job.kind === 'chat' ? 'messages' : 'prompt';
  let ids: Int32Array;
  try {
    ids = await tok.encode(text, { allowSpecial: true });
  } catch (e) {
    if (!(e instanceof SllmTokenizerError)) throw e;
    throw new SllmRequestError('unencodable_text', param,
      `the ${job.kind === 'chat' ? 'conversation, rendered with its chat template,' : 'prompt'} has text this model's ` +
        `tokenizer cannot encode (${e.message})`, { cause: e });
  }
  if (ids.length === 0) {
    if (job.kind === 'chat') throw invalidValue('messages', 'rendered with the chat template give an empty prompt');
    // an empty prompt starts from [BOS], else from a newline, as model.generate does
    const start = tok.specialTokens.bos ?? (await tok.tokenToId('\n'));
    if (start === undefined) throw invalidValue('prompt', 'is empty; give at least one character to start from');
    ids = Int32Array.of(start);
  }
  const context = model.config.contextLength;
  if (ids.length > context)
    throw new SllmRequestError('context_length_exceeded', param,
      `the ${param === 'messages' ? 'conversation' : 'prompt'} is ${ids.length} tokens but this model's context holds ` +
        `${context}; shorten it (e.g. drop the oldest messages)`);
  if (job.ignoreEos) {
    stopStrings = [];
    stopIds.clear();
  }
  return { ids, stopStrings, stopIds, maxTokens: job.maxTokens ?? Infinity };
}

function usage(prompt: number, computed: number, produced: number, t0: number, tPrefill: number, tFirst: number, tEnd: number): CompletionUsage {
  const s = (ms: number) => ms / 1000;
  const decodeMs = tEnd - tFirst;
  return {
    prompt_tokens: prompt,
    completion_tokens: produced,
    total_tokens: prompt + produced,
    prompt_tokens_details: { cached_tokens: prompt - computed },
    extra: {
      e2e_latency_s: s(tEnd - t0),
      prefill_tokens_per_s: tPrefill > t0 ? computed / s(tPrefill - t0) : 0,
      decode_tokens_per_s: produced > 1 && decodeMs > 0 ? (produced - 1) / s(decodeMs) : 0,
      time_to_first_token_s: produced > 0 ? s(tFirst - t0) : 0,
      time_per_output_token_s: produced > 1 ? s(decodeMs) / (produced - 1) : 0,
    },
  };
}

async function* generate(session: WasmChatSession, p: Prepared, job: CompletionJob, signal: AbortSignal | undefined):
    AsyncGenerator<CompletionEvent> {
  const release = await session.acquire();
  let end: CompletionEvent;
  try {
    const t0 = now();
    const computed = session.prefill(p.ids);
    const tPrefill = now();
    let tFirst = tPrefill;
    session.begin(job.sampling);
    const capacity = session.capacity;
    const matcher = new StopMatcher(p.stopStrings);
    let produced = 0;
    let prev = -1;
    let finish: ChatCompletionFinishReason;
    let slice = now();
    for (;;) {
      if (signal?.aborted) { finish = 'abort'; break; }
      if (produced >= p.maxTokens) { finish = 'length'; break; }
      if (produced > 0) {
        if (session.length >= capacity) { finish = 'length'; break; }
        session.append(prev);
      }
      const id = session.sample();
      if (++produced === 1) tFirst = now();
      if (p.stopIds.has(id)) { finish = 'stop'; break; }
      const r = matcher.push(session.piece(id));
      if (r.text) yield { text: r.text };
      if (r.stopped) { finish = 'stop'; break; }
      prev = id;
      if (now() - slice >= SLICE_MS) {
        await yieldToEventLoop();
        slice = now();
      }
    }
    if (!matcher.stopped) {
      const r = matcher.push(session.flush());
      const rest = r.stopped ? r : matcher.flush();
      if (r.text + rest.text) yield { text: r.text + rest.text };
      if (rest.stopped) finish = 'stop';
    }
    end = { finish, usage: usage(p.ids.length, computed, produced, t0, tPrefill, tFirst, now()) };
  } finally {
    release();
  }
  yield end;  // the model is free for the next request once the reply is known to be complete
}

/** The main-thread engine's backend: generation in this thread, on each model's conversation cache. */
export const localBackend: CompletionBackend<WasmModel> = {
  async start(target: ChatTarget<WasmModel>, job: CompletionJob, signal: AbortSignal | undefined) {
    const prepared = await prepare(target.model, job);
    const session = target.model.chatSession();
    return generate(session, prepared, job, signal);
  },
};
