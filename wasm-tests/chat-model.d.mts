// chat-model.d.mts: the types of chat-model.mjs.
import type { Engine } from '../dist/index.js';

/** Zephyr-style: `<|role|>\n{content}{eos}\n` per message, then `<|assistant|>\n`. */
export declare const CHAT_TEMPLATE: string;
/** The i-th question of the corpus and its answer. */
export declare function exchange(i: number): { question: string; answer: string };
/** The training text: conversations of one to three exchanges, with [EOS] ending each turn. */
export declare function chatCorpus(conversations?: number): string;
export declare const CHAT_CONFIG: { contextLength: number; dim: number; layers: number; heads: number; ffnDim: number };
/** Trains the chat model on engine and returns its SLLM file (with the template as metadata). */
export declare function trainChatModel(engine: Engine, steps?: number): Promise<Uint8Array>;
