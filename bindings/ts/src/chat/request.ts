// chat/request.ts: checks a chat or text completion request and reduces it to a CompletionJob,
// the plain data an engine generates from (it crosses to a Worker engine's worker as is).
// Unknown fields, fields sllm does not support and bad values throw SllmRequestError naming
// the field, before anything runs.

import { invalidValue, SllmRequestError, unsupported } from './errors.js';
import type { TemplateMessage } from './template.js';
import type { ChatCompletionRequestBase, CompletionCreateParamsBase } from '../types.js';

/** Sampling options as the core's generation options name them. */
export interface JobSampling {
  temperature: number;
  top_p: number;
  top_k: number;
  seed: number;
}

/** What to generate: a rendered conversation or a plain prompt, and how. */
export interface CompletionJob {
  kind: 'chat' | 'text';
  /** kind 'chat': the conversation. */
  messages?: TemplateMessage[];
  /** kind 'chat': a template for this request (else the registered one, the model's, the default). */
  chatTemplate?: string;
  /** kind 'text': the prompt. */
  prompt?: string;
  sampling: JobSampling;
  /** Most tokens of the reply (undefined: until the context is full). */
  maxTokens: number | undefined;
  stop: string[];
  ignoreEos: boolean;
}

/** Fields taken apart by the engines themselves, not by toJob. */
const ENGINE_FIELDS = ['model', 'stream', 'stream_options', 'signal'];
const COMMON = ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'seed', 'n',
  'ignore_eos', 'frequency_penalty', 'presence_penalty', 'repetition_penalty', 'logit_bias', 'logprobs',
  'top_logprobs', 'user', 'extra_body'];
const CHAT_ONLY = ['messages', 'response_format', 'tools', 'tool_choice', 'chat_template'];
const TEXT_ONLY = ['prompt', 'echo', 'suffix', 'best_of'];
const MAX_STOPS = 16;

const given = (v: unknown) => v !== undefined && v !== null;

function number(r: Record<string, unknown>, key: string, fallback: number, ok: (v: number) => boolean, what: string): number {
  const v = r[key];
  if (!given(v)) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw invalidValue(key, `must be ${what}, not ${String(v)}`);
  return v;
}

/** Values sllm cannot honour: only the neutral value of each is accepted. */
function checkUnsupported(r: Record<string, unknown>): void {
  const n = r.n;
  if (given(n) && n !== 1) throw unsupported('n', 'one reply per request (n: 1); send the request again for another');
  for (const key of ['frequency_penalty', 'presence_penalty'])
    if (given(r[key]) && r[key] !== 0) throw unsupported(key, 'no repetition penalties (leave it 0)');
  if (given(r.repetition_penalty) && r.repetition_penalty !== 1)
    throw unsupported('repetition_penalty', 'no repetition penalties (leave it 1)');
  if (given(r.logit_bias) && Object.keys(r.logit_bias as object).length > 0)
    throw unsupported('logit_bias', 'no logit biases');
  if (given(r.logprobs) && r.logprobs !== false) throw unsupported('logprobs', 'no log probabilities');
  if (given(r.top_logprobs)) throw unsupported('top_logprobs', 'no log probabilities');
  if (given(r.tools) && (r.tools as unknown[]).length > 0) throw unsupported('tools', 'no tool calling');
  if (given(r.tool_choice) && r.tool_choice !== 'none') throw unsupported('tool_choice', 'no tool calling');
  const rf = r.response_format as { type?: unknown } | undefined | null;
  if (given(rf) && given(rf!.type) && rf!.type !== 'text')
    throw unsupported('response_format', 'only { type: "text" } (no JSON mode or grammars)');
  if (given(r.echo) && r.echo !== false) throw unsupported('echo', 'the prompt is not echoed');
  if (given(r.suffix)) throw unsupported('suffix', 'no insertion (suffix)');
  if (given(r.best_of) && r.best_of !== 1) throw unsupported('best_of', 'one reply per request (best_of: 1)');
}

function stops(v: unknown): string[] {
  if (!given(v)) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length > MAX_STOPS || list.some((s) => typeof s !== 'string' || s === ''))
    throw invalidValue('stop', `must be a non-empty string or an array of at most ${MAX_STOPS} non-empty strings`);
  return list as string[];
}

function messageText(m: Record<string, unknown>, i: number): string {
  const c = m.content;
  if (typeof c === 'string') return c;
  if (c === null || c === undefined) {
    if (m.role === 'assistant') return '';
    throw invalidValue(`messages[${i}].content`, 'is missing');
  }
  if (!Array.isArray(c)) throw invalidValue(`messages[${i}].content`, 'must be a string or an array of text parts');
  return c.map((part: { type?: unknown; text?: unknown }, j) => {
    if (part?.type === 'image_url') throw unsupported(`messages[${i}].content[${j}]`, 'text only (no images)');
    if (part?.type !== 'text' || typeof part.text !== 'string')
      throw invalidValue(`messages[${i}].content[${j}]`, 'must be { type: "text", text: string }');
    return part.text;
  }).join('');
}

function messages(v: unknown): TemplateMessage[] {
  if (!Array.isArray(v) || v.length === 0) throw invalidValue('messages', 'must be a non-empty array of messages');
  return v.map((m: Record<string, unknown>, i) => {
    if (typeof m !== 'object' || m === null) throw invalidValue(`messages[${i}]`, 'must be an object { role, content }');
    const role = m.role;
    if (role === 'tool' || role === 'function') throw unsupported(`messages[${i}].role`, 'no tool calling (roles system, user, assistant)');
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      throw invalidValue(`messages[${i}].role`, `must be "system", "user" or "assistant", not ${JSON.stringify(role)}`);
    if (given(m.tool_calls)) throw unsupported(`messages[${i}].tool_calls`, 'no tool calling');
    return { role, content: messageText(m, i) };
  });
}

/** Checks a request of either kind and returns its job. */
export function toJob(kind: 'chat', request: ChatCompletionRequestBase): CompletionJob;
export function toJob(kind: 'text', request: CompletionCreateParamsBase): CompletionJob;
export function toJob(kind: 'chat' | 'text', request: ChatCompletionRequestBase | CompletionCreateParamsBase): CompletionJob {
  if (typeof request !== 'object' || request === null)
    throw new SllmRequestError('invalid_value', null, kind === 'chat'
      ? 'chat.completions.create needs a request object { messages, ... }'
      : 'completions.create needs a request object { prompt, ... }');
  const r = request as unknown as Record<string, unknown>;
  const known = new Set([...ENGINE_FIELDS, ...COMMON, ...(kind === 'chat' ? CHAT_ONLY : TEXT_ONLY)]);
  for (const key of Object.keys(r))
    if (!known.has(key) && r[key] !== undefined)
      throw new SllmRequestError('unknown_parameter', key, `unknown request field "${key}"`);
  checkUnsupported(r);
  const maxKey = given(r.max_completion_tokens) ? 'max_completion_tokens' : 'max_tokens';
  const max = r[maxKey];
  if (given(max) && (!Number.isSafeInteger(max) || (max as number) < 1))
    throw invalidValue(maxKey, `must be a positive integer, not ${String(max)}`);
  const seed = r.seed;
  if (given(seed) && (!Number.isSafeInteger(seed) || (seed as number) < 0))
    throw invalidValue('seed', `must be an integer from 0 to 2^53 - 1, not ${String(seed)}`);
  const job: CompletionJob = {
    kind,
    sampling: {
      temperature: number(r, 'temperature', 1, (v) => v >= 0, 'a number >= 0'),
      top_p: number(r, 'top_p', 1, (v) => v > 0 && v <= 1, 'a number in (0, 1]'),
      top_k: number(r, 'top_k', 0, (v) => Number.isSafeInteger(v) && v >= 0, 'an integer >= 0'),
      seed: given(seed) ? (seed as number) : Math.floor(Math.random() * 2 ** 32),
    },
    maxTokens: given(max) ? (max as number) : undefined,
    stop: stops(r.stop),
    ignoreEos: r.ignore_eos === true,
  };
  if (given(r.stream_options) && r.stream !== true)
    throw invalidValue('stream_options', 'is only allowed with stream: true');
  if (kind === 'chat') {
    job.messages = messages(r.messages);
    if (given(r.chat_template)) {
      if (typeof r.chat_template !== 'string' || !r.chat_template)
        throw invalidValue('chat_template', 'must be a non-empty string (a Jinja template)');
      job.chatTemplate = r.chat_template;
    }
  } else {
    if (typeof r.prompt !== 'string') throw invalidValue('prompt', 'must be a string');
    job.prompt = r.prompt;
  }
  return job;
}
