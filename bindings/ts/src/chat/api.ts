// chat/api.ts: engine.chat.completions and engine.completions for both engines. A request is
// checked (request.ts), its model resolved (registry.ts), and handed to the engine's backend,
// which prepares it (renders and encodes the prompt, so its errors reject create()) and
// returns the reply as events: text deltas, then one finish with the usage. This file shapes
// those events into OpenAI objects: a ChatCompletion / Completion, or with stream: true an
// async iterable of chunks. The main-thread backend generates in this thread (local.ts); the
// Worker engine's pulls the events from its worker.

import { throwIfAborted } from '../errors.js';
import type { ChatTarget, ModelRegistry } from './registry.js';
import { toJob, type CompletionJob } from './request.js';
import type {
  Chat,
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionFinishReason,
  ChatCompletionRequestBase,
  ChatCompletions,
  Completion,
  CompletionCreateParamsBase,
  Completions,
  CompletionUsage,
  Model,
  RegisterModelOptions,
} from '../types.js';

/** One step of a reply: text to append, or the end. */
export type CompletionEvent =
  | { text: string }
  | { finish: ChatCompletionFinishReason; usage: CompletionUsage };

/** What an engine runs requests with. */
export interface CompletionBackend<M extends Model> {
  /** Prepares the job (errors reject here) and returns its events; they end with one finish. */
  start(target: ChatTarget<M>, job: CompletionJob, signal: AbortSignal | undefined): Promise<AsyncIterable<CompletionEvent>>;
}

const randomId = () => Math.random().toString(36).slice(2, 12) + Date.now().toString(36);

interface Shape<R, C> {
  id: string;
  response(text: string, finish: ChatCompletionFinishReason, usage: CompletionUsage): R;
  first: C | undefined;
  delta(text: string): C;
  last(finish: ChatCompletionFinishReason): C;
  usage(usage: CompletionUsage): C;
}

function chatShape(name: string): Shape<ChatCompletion, ChatCompletionChunk> {
  const id = `chatcmpl-${randomId()}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: ChatCompletionChunk['choices']): ChatCompletionChunk =>
    ({ id, object: 'chat.completion.chunk', created, model: name, choices });
  return {
    id,
    response: (text, finish, usage) => ({
      id, object: 'chat.completion', created, model: name,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish, logprobs: null }],
      usage,
    }),
    first: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }]),
    delta: (text) => chunk([{ index: 0, delta: { content: text }, finish_reason: null, logprobs: null }]),
    last: (finish) => chunk([{ index: 0, delta: {}, finish_reason: finish, logprobs: null }]),
    usage: (usage) => ({ ...chunk([]), usage }),
  };
}

function textShape(name: string): Shape<Completion, Completion> {
  const id = `cmpl-${randomId()}`;
  const created = Math.floor(Date.now() / 1000);
  const make = (text: string, finish: ChatCompletionFinishReason | null): Completion =>
    ({ id, object: 'text_completion', created, model: name, choices: [{ index: 0, text, finish_reason: finish, logprobs: null }] });
  return {
    id,
    response: (text, finish, usage) => ({ ...make(text, finish), usage }),
    first: undefined,
    delta: (text) => make(text, null),
    last: (finish) => make('', finish),
    usage: (usage) => ({ id, object: 'text_completion', created, model: name, choices: [], usage }),
  };
}

async function collect<R, C>(events: AsyncIterable<CompletionEvent>, shape: Shape<R, C>): Promise<R> {
  let text = '';
  for await (const e of events) {
    if ('text' in e) text += e.text;
    else return shape.response(text, e.finish, e.usage);
  }
  throw new Error('internal: a reply ended without a finish event');
}

async function* chunks<R, C>(events: AsyncIterable<CompletionEvent>, shape: Shape<R, C>, includeUsage: boolean): AsyncGenerator<C> {
  if (shape.first) yield shape.first;
  for await (const e of events) {
    if ('text' in e) {
      if (e.text) yield shape.delta(e.text);
    } else {
      yield shape.last(e.finish);
      if (includeUsage) yield shape.usage(e.usage);
      return;
    }
  }
}

/** engine.chat and engine.completions over a registry and a backend. */
export class CompletionsApi<M extends Model> {
  readonly chat: Chat;
  readonly completions: Completions;
  /** Engine.registerModel, unregisterModel and registeredModels. */
  readonly registerModel: (id: string, model: Model, options?: RegisterModelOptions) => void;
  readonly unregisterModel: (id: string) => boolean;
  readonly registeredModels: () => string[];
  readonly #registry: ModelRegistry<M>;
  readonly #backend: CompletionBackend<M>;

  constructor(registry: ModelRegistry<M>, backend: CompletionBackend<M>) {
    this.#registry = registry;
    this.#backend = backend;
    const chatCompletions = { create: (r: ChatCompletionRequestBase) => this.#run('chat', r) } as ChatCompletions;
    this.chat = Object.freeze({ completions: Object.freeze(chatCompletions) });
    this.completions = Object.freeze({ create: (r: CompletionCreateParamsBase) => this.#run('text', r) }) as Completions;
    this.registerModel = (id, model, options) => registry.register(id, model, options);
    this.unregisterModel = (id) => registry.unregister(id);
    this.registeredModels = () => registry.ids();
  }

  async #run(kind: 'chat' | 'text', request: ChatCompletionRequestBase | CompletionCreateParamsBase): Promise<unknown> {
    const job = kind === 'chat' ? toJob('chat', request as ChatCompletionRequestBase) : toJob('text', request as CompletionCreateParamsBase);
    const target = this.#registry.resolve(request.model);
    if (kind === 'chat' && job.chatTemplate === undefined) job.chatTemplate = target.chatTemplate;
    const signal = request.signal;
    throwIfAborted(signal, kind === 'chat' ? 'the chat completion' : 'the completion');
    const events = await this.#backend.start(target, job, signal);
    const shape = kind === 'chat' ? chatShape(target.name) : textShape(target.name);
    if (request.stream === true) return chunks(events, shape as Shape<unknown, unknown>, request.stream_options?.include_usage === true);
    return collect(events, shape as Shape<unknown, unknown>);
  }
}
