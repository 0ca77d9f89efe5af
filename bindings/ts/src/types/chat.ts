// types/chat.ts: the public types of the OpenAI-style API (engine.chat.completions.create and
// engine.completions.create): requests, messages, responses, streamed chunks and usage. Names
// and shapes are WebLLM's (its openai_api_protocols) where they overlap, so an app written for
// WebLLM or a server's OpenAI API switches by changing its import; sllm's own additions are
// marked. Fields sllm does not support are typed so a request type-checks, and are refused at
// run time with SllmRequestError (code 'unsupported_parameter').

import type { Model } from './model.js';

/** Who wrote a message. */
export type ChatCompletionRole = 'system' | 'user' | 'assistant' | 'tool' | 'function';

/** A text part of a message's content. */
export interface ChatCompletionContentPartText {
  type: 'text';
  text: string;
}

/** An image part (not supported: sllm models read text). */
export interface ChatCompletionContentPartImage {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export type ChatCompletionContentPart = ChatCompletionContentPartText | ChatCompletionContentPartImage;

export interface ChatCompletionSystemMessageParam {
  role: 'system';
  content: string;
}

export interface ChatCompletionUserMessageParam {
  role: 'user';
  /** A string, or text parts (joined). */
  content: string | ChatCompletionContentPart[];
  name?: string;
}

export interface ChatCompletionAssistantMessageParam {
  role: 'assistant';
  content?: string | null;
  name?: string;
  /** Not supported (refused). */
  tool_calls?: unknown[];
}

/** Not supported (refused): sllm has no tool calling. */
export interface ChatCompletionToolMessageParam {
  role: 'tool';
  content: string;
  tool_call_id: string;
}

export type ChatCompletionMessageParam =
  | ChatCompletionSystemMessageParam
  | ChatCompletionUserMessageParam
  | ChatCompletionAssistantMessageParam
  | ChatCompletionToolMessageParam;

/** Options of a streamed response. */
export interface ChatCompletionStreamOptions {
  /** Add a last chunk with empty `choices` and the request's `usage`. */
  include_usage?: boolean;
}

/** The response's format: only `text` (the default) is supported. */
export interface ResponseFormat {
  type?: 'text' | 'json_object' | 'grammar' | 'structural_tag';
  schema?: string;
  grammar?: string;
}

/**
 * Which model answers: the id it was registered under with {@link Engine.registerModel}, or
 * (sllm) a Model object of this engine. Omitted: the only registered model.
 */
export type ModelSelector = string | Model;

/** Sampling and stopping fields shared by chat and text completions. */
export interface CompletionRequestCommon {
  /** See {@link ModelSelector}. */
  model?: ModelSelector | null;
  /** Stream `chat.completion.chunk`s (an async iterable) instead of one response object. */
  stream?: boolean | null;
  stream_options?: ChatCompletionStreamOptions | null;
  /** Most tokens of the reply (default: until the model's context is full). */
  max_tokens?: number | null;
  /** OpenAI's newer name for max_tokens. */
  max_completion_tokens?: number | null;
  /** Softmax temperature, >= 0; 0 picks the most likely token every time (default 1). */
  temperature?: number | null;
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches top_p, in (0, 1] (default 1). */
  top_p?: number | null;
  /** (sllm, as vLLM) Sample among the k most likely tokens only (0 = all, the default). */
  top_k?: number | null;
  /** Up to 16 strings that end the reply; the reply excludes them. */
  stop?: string | string[] | null;
  /** Seed of the sampler: the same request and seed give the same reply (default: random). */
  seed?: number | null;
  /** Number of replies; only 1. */
  n?: number | null;
  /** Keep generating through end-of-turn tokens and stop strings until max_tokens (WebLLM's). */
  ignore_eos?: boolean;
  /** (sllm) Ends the request: the reply so far comes back with finish_reason 'abort'. */
  signal?: AbortSignal;
  /** Not supported unless 0. */
  frequency_penalty?: number | null;
  /** Not supported unless 0. */
  presence_penalty?: number | null;
  /** Not supported unless 1. */
  repetition_penalty?: number | null;
  /** Not supported unless empty. */
  logit_bias?: Record<string, number> | null;
  /** Not supported unless false. */
  logprobs?: boolean | null;
  /** Not supported. */
  top_logprobs?: number | null;
  /** Ignored (OpenAI's end-user id). */
  user?: string;
}

export interface ChatCompletionRequestBase extends CompletionRequestCommon {
  /** The conversation so far, oldest first; at least one message. */
  messages: ChatCompletionMessageParam[];
  /** Only `{ type: 'text' }`. */
  response_format?: ResponseFormat;
  /** Not supported. */
  tools?: unknown[];
  /** Not supported unless 'none'. */
  tool_choice?: unknown;
  /**
   * (sllm, as vLLM) A Jinja chat template for this request, instead of the registered one or the
   * model's own (see docs/package.md, "Chat templates").
   */
  chat_template?: string;
}

export interface ChatCompletionRequestNonStreaming extends ChatCompletionRequestBase {
  stream?: false | null;
}

export interface ChatCompletionRequestStreaming extends ChatCompletionRequestBase {
  stream: true;
}

export type ChatCompletionRequest = ChatCompletionRequestNonStreaming | ChatCompletionRequestStreaming;

/** Why a reply ended: an end-of-turn token or stop string, max_tokens or the context, or the AbortSignal. */
export type ChatCompletionFinishReason = 'stop' | 'length' | 'abort';

/** Token counts of a request. */
export interface CompletionUsage {
  /** Tokens of the prompt (the rendered conversation). */
  prompt_tokens: number;
  /** Tokens the model generated, including an end-of-turn token or the tokens of a stop string that ended the reply. */
  completion_tokens: number;
  total_tokens: number;
  /** Of the prompt tokens, how many came from the conversation cache instead of being computed (OpenAI's field). */
  prompt_tokens_details: { cached_tokens: number };
  /** Timings (WebLLM's field). */
  extra: {
    e2e_latency_s: number;
    /** Computed prompt tokens per second of prefill. */
    prefill_tokens_per_s: number;
    decode_tokens_per_s: number;
    /** From the start of the request's generation to the first token. */
    time_to_first_token_s: number;
    time_per_output_token_s: number;
  };
}

/** The assistant's reply. */
export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: ChatCompletionFinishReason;
  logprobs: null;
}

/** The response of a non-streamed chat completion. */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  /** Unix time in seconds. */
  created: number;
  /** The id the model was selected by (its registered id, or its name for a Model object). */
  model: string;
  choices: ChatCompletionChoice[];
  usage: CompletionUsage;
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: { role?: 'assistant'; content?: string | null };
  finish_reason: ChatCompletionFinishReason | null;
  logprobs?: null;
}

/** One piece of a streamed chat completion. The last chunk with choices carries finish_reason. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** Empty in the usage chunk that stream_options.include_usage adds at the end. */
  choices: ChatCompletionChunkChoice[];
  usage?: CompletionUsage;
}

/** A plain-text completion request (engine.completions.create). */
export interface CompletionCreateParamsBase extends CompletionRequestCommon {
  /** The text to continue (special-token text such as "[BOS]" maps to its token). */
  prompt: string;
  /** Not supported unless false. */
  echo?: boolean | null;
  /** Not supported. */
  suffix?: string | null;
  /** Not supported unless 1. */
  best_of?: number | null;
}

export interface CompletionCreateParamsNonStreaming extends CompletionCreateParamsBase {
  stream?: false | null;
}

export interface CompletionCreateParamsStreaming extends CompletionCreateParamsBase {
  stream: true;
}

export type CompletionCreateParams = CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming;

export interface CompletionChoice {
  index: number;
  text: string;
  /** null in streamed chunks before the last. */
  finish_reason: ChatCompletionFinishReason | null;
  logprobs: null;
}

/** A text completion, or one streamed piece of it. */
export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: CompletionUsage;
}

/** engine.chat.completions. */
export interface ChatCompletions {
  create(request: ChatCompletionRequestNonStreaming): Promise<ChatCompletion>;
  create(request: ChatCompletionRequestStreaming): Promise<AsyncIterable<ChatCompletionChunk>>;
  create(request: ChatCompletionRequestBase): Promise<AsyncIterable<ChatCompletionChunk> | ChatCompletion>;
}

/** engine.chat. */
export interface Chat {
  readonly completions: ChatCompletions;
}

/** engine.completions. */
export interface Completions {
  create(request: CompletionCreateParamsNonStreaming): Promise<Completion>;
  create(request: CompletionCreateParamsStreaming): Promise<AsyncIterable<Completion>>;
  create(request: CompletionCreateParamsBase): Promise<AsyncIterable<Completion> | Completion>;
}

/** Options of {@link Engine.registerModel}. */
export interface RegisterModelOptions {
  /** The Jinja chat template to use for this model instead of its own (or the default). */
  chatTemplate?: string;
}
