// chat.test.ts: the OpenAI-style chat API on a real model (trained here: chat-model.ts) in both
// engines (the Worker engine through its worker entry in a Node worker thread): streamed chunks
// concatenate to the non-streamed answer at temperature 0; stop strings are honoured across
// chunk boundaries and never leak in part; usage counts equal the tokenizer's counts; the
// reply stops at the template's end of turn (the eos token); a follow-up turn reuses the cached
// conversation and gives the cold run's text; errors and aborts; text completions; and the
// Worker engine answers exactly as the main-thread one.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  AbortError,
  createEngine,
  createWorkerEngine,
  renderChatTemplate,
  SllmRequestError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionMessageParam,
  type Completion,
  type Engine,
  type Model,
  type Tokenizer,
} from '../dist/index.js';
import type { WasmModel } from '../dist/model.js';
import { CHAT_TEMPLATE, chatCorpus, exchange, trainChatModel } from './chat-model.mjs';
import { expectError } from './helpers.js';
import { nodeWorker } from './node-worker.js';

let bytes: Uint8Array;
const answers: Record<string, unknown> = {};  // main engine's results, compared with the worker's

beforeAll(async () => {
  const trainer = await createEngine();
  bytes = await trainChatModel(trainer);
  trainer.dispose();
}, 120_000);

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}
const content = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
const user = (content: string): ChatCompletionMessageParam => ({ role: 'user', content });

describe.each([
  ['main thread', () => createEngine()],
  ['worker', () => createWorkerEngine({ worker: nodeWorker() })],
] as const)('chat API, %s engine', (kind, make) => {
  let engine: Engine;
  let model: Model;
  let tokenizer: Tokenizer;
  const q1 = exchange(5).question;

  beforeAll(async () => {
    engine = await make();
    ({ model, tokenizer } = await engine.loadModel(bytes.slice()));
    engine.registerModel('chat-tiny', model);
  });
  afterAll(() => engine?.dispose());

  /** What the same answers must be in both engines. */
  function same(key: string, value: unknown) {
    if (kind === 'main thread') answers[key] = value;
    else expect(value).toEqual(answers[key]);
  }

  it('the model carries its chat template from the file', () => {
    expect(model.chatTemplate).toBe(CHAT_TEMPLATE);
    expect(engine.registeredModels()).toEqual(['chat-tiny']);
  });

  it('answers with an OpenAI-shaped completion that stops at the end of turn; usage equals the tokenizer\'s counts', async () => {
    const r: ChatCompletion = await engine.chat.completions.create({ messages: [user(q1)], temperature: 0 });
    expect(r).toMatchObject({ object: 'chat.completion', model: 'chat-tiny', choices: [{ index: 0, logprobs: null }] });
    expect(r.id).toMatch(/^chatcmpl-/);
    expect(Math.abs(r.created - Date.now() / 1000)).toBeLessThan(60);
    const reply = r.choices[0]!.message.content!;
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(reply.length).toBeGreaterThan(3);
    expect(r.choices[0]!.finish_reason).toBe('stop');  // the model learned to end its turn with [EOS]
    const prompt = renderChatTemplate(CHAT_TEMPLATE, [user(q1) as never], { eos_token: '[EOS]', add_generation_prompt: true });
    expect(prompt).toBe(`<|user|>\n${q1}[EOS]\n<|assistant|>\n`);
    const promptIds = await tokenizer.encode(prompt, { allowSpecial: true });
    expect(r.usage.prompt_tokens).toBe(promptIds.length);
    expect(r.usage.completion_tokens).toBe((await tokenizer.encode(reply)).length + 1);  // + the [EOS] that ended it
    expect(r.usage.total_tokens).toBe(r.usage.prompt_tokens + r.usage.completion_tokens);
    same('reply', reply);
  });

  it('streamed chunks concatenate to the non-streamed answer at temperature 0', async () => {
    for (const [max, stop] of [[undefined, undefined], [7, undefined], [40, ['es']]] as const) {
      const req = { messages: [user(q1)], temperature: 0, max_tokens: max, stop: stop && [...stop] };
      const whole = await engine.chat.completions.create(req);
      const chunks = await collect(await engine.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } }));
      expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '' });
      expect(chunks.length).toBeGreaterThan(3);
      for (const c of chunks) expect(c).toMatchObject({ object: 'chat.completion.chunk', id: chunks[0]!.id, model: 'chat-tiny' });
      const last = chunks.at(-2)!, usage = chunks.at(-1)!;
      expect(last.choices[0]).toMatchObject({ delta: {}, finish_reason: whole.choices[0]!.finish_reason });
      expect(chunks.slice(0, -2).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
      expect(usage.choices).toEqual([]);
      expect(content(chunks)).toBe(whole.choices[0]!.message.content);
      const counts = (u: ChatCompletion['usage']) => [u.prompt_tokens, u.completion_tokens, u.total_tokens];
      expect(counts(usage.usage!)).toEqual(counts(whole.usage));
      if (max === 7) expect(whole.choices[0]!.finish_reason).toBe('length');
      if (max === 7) expect(whole.usage.completion_tokens).toBe(7);
      same(`stream-${max}`, content(chunks));
    }
    // without include_usage there is no usage chunk
    const plain = await collect(await engine.chat.completions.create({ messages: [user(q1)], temperature: 0, stream: true }));
    expect(plain.at(-1)!.choices[0]!.finish_reason).not.toBeNull();
  });

  it('stop strings are honoured across chunk boundaries and never leak in part', async () => {
    const base = { messages: [user(q1)], temperature: 0 };
    const full = (await engine.chat.completions.create(base)).choices[0]!.message.content!;
    expect(full.length).toBeGreaterThan(8);
    const stop = full.slice(5, 8);  // three characters: three tokens, three chunks
    const cut = full.slice(0, full.indexOf(stop));
    const chunks = await collect(await engine.chat.completions.create({ ...base, stop, stream: true }));
    expect(content(chunks)).toBe(cut);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    // a stop string whose start appears but which never completes: everything held back is released
    const never = full.slice(5, 8) + '\u0001';
    expect(content(await collect(await engine.chat.completions.create({ ...base, stop: [never], stream: true })))).toBe(full);
    // completion_tokens counts the stop string's tokens too
    const r = await engine.chat.completions.create({ ...base, stop });
    expect(r.choices[0]!.message.content).toBe(cut);
    expect(r.usage.completion_tokens).toBe(cut.length + stop.length);
  });

  it('a follow-up turn, a regenerated reply and an edited message reuse the cached prefix and answer as a cold run', async () => {
    await engine.resetChat(false, 'chat-tiny');  // WebLLM's signature
    const t1 = await engine.chat.completions.create({ messages: [user(q1)], temperature: 0 });
    expect(t1.usage.prompt_tokens_details.cached_tokens).toBe(0);
    const turn2 = [user(q1), { role: 'assistant', content: t1.choices[0]!.message.content } as const, user(exchange(22).question)];
    const session = kind === 'main thread' ? (model as WasmModel).chatSession() : undefined;
    const before = session?.positionsComputed;
    const t2 = await engine.chat.completions.create({ messages: turn2, temperature: 0 });
    // cached: turn 1's prompt and reply (the last sampled token, [EOS], was never computed)
    const cached = t1.usage.prompt_tokens + t1.usage.completion_tokens - 1;
    expect(t2.usage.prompt_tokens_details.cached_tokens).toBe(cached);
    if (session) {
      // positions the core computed: the new prompt tokens, then one per reply token but the last
      expect(session.positionsComputed - before!).toBe(t2.usage.prompt_tokens - cached + t2.usage.completion_tokens - 1);
    }
    // the same request again (a regenerated reply): all but the prompt's last token come from the cache
    const again = await engine.chat.completions.create({ messages: turn2, temperature: 0 });
    expect(again.usage.prompt_tokens_details.cached_tokens).toBe(t2.usage.prompt_tokens - 1);
    expect(again.choices[0]!.message.content).toBe(t2.choices[0]!.message.content);
    // an edited last message: the prefix both prompts share comes from the cache
    const edited = [...turn2.slice(0, 2), user(exchange(41).question)];
    const ids = async (m: typeof turn2) =>
      tokenizer.encode(renderChatTemplate(CHAT_TEMPLATE, m as never, { eos_token: '[EOS]', add_generation_prompt: true }), { allowSpecial: true });
    const [a, b] = [await ids(turn2), await ids(edited)];
    let shared = 0;
    while (a[shared] === b[shared]) shared++;
    const e = await engine.chat.completions.create({ messages: edited, temperature: 0 });
    expect(e.usage.prompt_tokens_details.cached_tokens).toBe(shared);
    expect(shared).toBeGreaterThan(cached);
    await engine.resetChat();
    const coldEdited = await engine.chat.completions.create({ messages: edited, temperature: 0 });
    expect(coldEdited.choices[0]!.message.content).toBe(e.choices[0]!.message.content);
    await engine.resetChat();
    const cold = await engine.chat.completions.create({ messages: turn2, temperature: 0 });
    expect(cold.usage.prompt_tokens_details.cached_tokens).toBe(0);
    expect(cold.choices[0]!.message.content).toBe(t2.choices[0]!.message.content);
    expect(cold.usage.completion_tokens).toBe(t2.usage.completion_tokens);
    same('turn2', t2.choices[0]!.message.content);
  });

  it('training the model makes its cached conversation stale', async () => {
    const { model: m2, tokenizer: t2 } = await engine.loadModel(bytes.slice());
    engine.registerModel('trained', m2);
    onTestFinished(() => { engine.unregisterModel('trained'); m2.dispose(); });
    const turn1 = await engine.chat.completions.create({ model: 'trained', messages: [user(q1)], temperature: 0, max_tokens: 5 });
    const follow = [user(q1), { role: 'assistant', content: turn1.choices[0]!.message.content } as const, user(q1)];
    const tokens = await t2.encode(chatCorpus(40), { allowSpecial: true });
    const trainer = await engine.createTrainer(m2, { tokens, batchSize: 2, sequenceLength: 64, maxSteps: 2, evalInterval: 0, validationSplit: 0 });
    for await (const _ of trainer.run()) { /* two steps change the weights */ }
    const turn2 = await engine.chat.completions.create({ model: 'trained', messages: follow, temperature: 0, max_tokens: 5 });
    expect(turn2.usage.prompt_tokens_details.cached_tokens).toBe(0);
    const turn3 = await engine.chat.completions.create({ model: 'trained', messages: [...follow, { role: 'assistant', content: turn2.choices[0]!.message.content }, user(q1)], temperature: 0, max_tokens: 5 });
    expect(turn3.usage.prompt_tokens_details.cached_tokens).toBeGreaterThan(turn2.usage.prompt_tokens - 1);
    trainer.dispose();
  });

  it('seeds make sampling reproducible', async () => {
    const req = { messages: [user(q1)], temperature: 1.2, top_k: 10, top_p: 0.95, max_tokens: 20, seed: 42 };
    const a = await engine.chat.completions.create(req);
    const b = await engine.chat.completions.create(req);
    expect(b.choices[0]!.message.content).toBe(a.choices[0]!.message.content);
    same('seeded', a.choices[0]!.message.content);
  });

  it('a request template, a Model object and text completions', async () => {
    const tmpl = "{% for m in messages %}{{ m.content }}{% endfor %}";  // no roles: plain continuation
    const r = await engine.chat.completions.create({ model, messages: [user('Ada sees')], temperature: 0, max_tokens: 6, chat_template: tmpl });
    expect(r.model).toBe('chat-tiny');  // the Model object's registered id
    expect(r.usage.prompt_tokens).toBe(8);
    const t: Completion = await engine.completions.create({ prompt: 'Ada sees', temperature: 0, max_tokens: 6 });
    expect(t).toMatchObject({ object: 'text_completion', choices: [{ index: 0, text: r.choices[0]!.message.content, finish_reason: r.choices[0]!.finish_reason }] });
    expect(t.id).toMatch(/^cmpl-/);
    const ts = [] as Completion[];
    for await (const c of await engine.completions.create({ prompt: 'Ada sees', temperature: 0, max_tokens: 6, stream: true })) ts.push(c);
    expect(ts.map((c) => c.choices[0]?.text ?? '').join('')).toBe(t.choices[0]!.text);
    expect(ts.at(-1)!.choices[0]!.finish_reason).toBe(t.choices[0]!.finish_reason);
    same('text', t.choices[0]!.text);
  });

  it('errors are OpenAI-style SllmRequestErrors', async () => {
    const m = [user(q1)];
    await expectError(engine.chat.completions.create({ model: 'gpt-4', messages: m }), SllmRequestError, /"gpt-4" is not registered .*"chat-tiny"/);
    const e = await expectError(engine.chat.completions.create({ model: 'gpt-4', messages: m }), SllmRequestError) as SllmRequestError;
    expect([e.status, e.type, e.code, e.param]).toEqual([404, 'invalid_request_error', 'model_not_found', 'model']);
    for (const [field, value] of [['n', 3], ['tools', [{ type: 'function' }]], ['logprobs', true]] as const) {
      const u = await expectError(engine.chat.completions.create({ messages: m, [field]: value }), SllmRequestError) as SllmRequestError;
      expect([u.code, u.param, u.status]).toEqual(['unsupported_parameter', field, 400]);
    }
    const long = await expectError(engine.chat.completions.create({ messages: [user('Ada sees Bo. '.repeat(20))] }), SllmRequestError, /context holds 192/) as SllmRequestError;
    expect([long.code, long.param]).toEqual(['context_length_exceeded', 'messages']);
    const odd = await expectError(engine.chat.completions.create({ messages: [user('Ada sees ☃')] }), SllmRequestError) as SllmRequestError;
    expect([odd.code, odd.param]).toEqual(['unencodable_text', 'messages']);
    const bad = await expectError(engine.chat.completions.create({ messages: m, chat_template: '{% if %}' }), SllmRequestError) as SllmRequestError;
    expect(bad.code).toBe('invalid_chat_template');
    const other = await createEngine();
    const { model: foreign } = await other.loadModel(bytes.slice());
    await expectError(engine.chat.completions.create({ model: foreign, messages: m }), SllmRequestError, /Model of this engine/);
    other.dispose();
    // two models: the request must say which
    const { model: second } = await engine.loadModel(bytes.slice());
    engine.registerModel('second', second);
    await expectError(engine.chat.completions.create({ messages: m }), SllmRequestError, /several are registered/);
    second.dispose();
    await expectError(engine.chat.completions.create({ model: 'second', messages: m }), SllmRequestError, /has been disposed/);
    expect(engine.unregisterModel('second')).toBe(true);
    expect(engine.unregisterModel('second')).toBe(false);
  });

  it('abort: the reply so far with finish_reason "abort"; an aborted signal rejects with AbortError', async () => {
    const controller = new AbortController();
    const req = { messages: [user(q1)], max_tokens: 150, ignore_eos: true, temperature: 0, signal: controller.signal };
    // aborted after create() and before the first token: an empty reply
    const stream = await engine.chat.completions.create({ ...req, stream: true });
    controller.abort();
    const early = await collect(stream);
    expect(early.at(-1)!.choices[0]!.finish_reason).toBe('abort');
    expect(content(early)).toBe('');
    await expectError(engine.chat.completions.create(req), AbortError);
    if (kind === 'main thread') {
      // in the middle of a reply (the Worker engine's pulls are tested with the demo in Chromium)
      const c2 = new AbortController();
      const chunks: ChatCompletionChunk[] = [];
      for await (const c of await engine.chat.completions.create({ ...req, signal: c2.signal, stream: true })) {
        chunks.push(c);
        if (chunks.length === 4) c2.abort();
      }
      expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('abort');
      expect(content(chunks).length).toBeGreaterThanOrEqual(3);
      expect(content(chunks).length).toBeLessThan(150);
    }
    // the model is free again: a stream left early releases it too
    for await (const c of await engine.chat.completions.create({ messages: [user(q1)], stream: true, max_tokens: 20 })) {
      if (c.choices[0]?.delta.content) break;
    }
    const after = await engine.chat.completions.create({ messages: [user(q1)], temperature: 0 });
    expect(after.choices[0]!.message.content).toBe(answers.reply ?? after.choices[0]!.message.content);
  });
});
