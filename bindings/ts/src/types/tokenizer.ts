// types/tokenizer.ts: the public interface of tokenizers: how to build one (char, word, BPE or
// GPT-2's own vocabulary), its special tokens, its JSON form, and the Tokenizer itself.

import type { Engine, SllmResource } from './engine.js';

/** Names of the special tokens a vocabulary may have. */
export type SpecialTokenName = 'pad' | 'unk' | 'bos' | 'eos';

/** Ids of a vocabulary's special tokens; absent ones are missing. */
export interface SpecialTokenIds {
  pad?: number;
  unk?: number;
  bos?: number;
  eos?: number;
}

/** The tokenizer kinds: one token per character, byte-level BPE (GPT-2 style), or one per word. */
export type TokenizerType = 'char' | 'bpe' | 'word';

/**
 * How to build a tokenizer from text. `char`: one token per distinct character of `text`.
 * `bpe`: byte-level BPE that learns merges up to `vocabSize` tokens (any text encodes).
 * `word`: the `vocabSize` most frequent words (GPT-2 pre-tokenizer pieces); a word vocabulary
 * always has [UNK]. Special tokens come first, in the order pad, unk, bos, eos.
 */
export type TokenizerOptions =
  | { type: 'char'; text: string; specials?: SpecialTokenName[] }
  | {
      type: 'word';
      text: string;
      /** Vocabulary size to learn, special tokens included (default 8000; fewer for a small text). */
      vocabSize?: number;
      specials?: SpecialTokenName[];
    }
  | {
      type: 'bpe';
      text: string;
      /** Vocabulary size to learn: special tokens + 256 bytes + merges (default 8000). */
      vocabSize?: number;
      specials?: SpecialTokenName[];
      /** User-defined special tokens (e.g. `"<|user|>"`): never split, never made by merges, after the standard ones. */
      extraSpecials?: string[];
      /** Called with (merges done, merges planned) about every 1% of training and at the end. */
      onProgress?: (mergesDone: number, mergesTotal: number) => void;
    }
  | {
      /** GPT-2's own vocabulary (OpenAI's r50k_base): ids equal GPT-2's; `<|endoftext|>` is eos. */
      type: 'gpt2';
      /** The contents of GPT-2's `encoder.json`. */
      encoderJson: string;
      /** The contents of GPT-2's `vocab.bpe`. */
      vocabBpe: string;
    }
  | {
      /**
       * A tiktoken ranks file: one "base64(token bytes) rank" line per token, as OpenAI's
       * `cl100k_base.tiktoken` or Llama 3's original `tokenizer.model`. Ids equal the ranks.
       */
      type: 'tiktoken';
      /** The ranks file's contents. */
      ranks: string;
      /** Special tokens by string, at ids after the ranks (unused ids between become placeholders). */
      specialTokens?: Record<string, number>;
      /** The split rule: `gpt2` (default) or `llama3` (cl100k_base's regex, as Llama 3 uses). */
      pretokenizer?: PretokenizerName;
      /** The special token that is eos (default `<|endoftext|>` when present). */
      eos?: string;
      /** The special token that is bos. */
      bos?: string;
      /** Start every encoding with bos (Llama 3 style). Default false. */
      addBos?: boolean;
    }
  | {
      /**
       * A Hugging Face tokenizer: byte-level BPE as GPT-2, SmolLM and Llama 3 use (and the forms
       * `toHuggingFace` writes for char and word tokenizers). Encodings equal Hugging Face's
       * (with `allowSpecial`, its default); a tokenizer.json sllm cannot reproduce exactly is
       * refused with SllmFormatError saying why.
       */
      type: 'huggingface';
      /** The contents of `tokenizer.json`. */
      tokenizerJson: string;
      /** The contents of `tokenizer_config.json` (special token names, chat template), if any. */
      tokenizerConfig?: string;
    };

/** The pre-tokenizer rules of byte-level BPE: GPT-2's regex, or cl100k_base's (Llama 3). */
export type PretokenizerName = 'gpt2' | 'llama3';

/** A tokenizer in its SLLM-file JSON form (from {@link Tokenizer.serialize}); store it as JSON. */
export interface TokenizerJSON {
  type: string;
  [key: string]: unknown;
}

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Map the literal text of special tokens (e.g. `"[EOS]"`) to their ids. Default false. */
  allowSpecial?: boolean;
}

/** Turns text into token ids and back. */
export interface Tokenizer extends SllmResource {
  /** The tokenizer kind. */
  readonly type: TokenizerType;
  /** Number of tokens in the vocabulary (the model's vocabSize). */
  readonly vocabSize: number;
  /** Ids of the special tokens it has. */
  readonly specialTokens: SpecialTokenIds;
  /** Text to ids. Throws SllmTokenizerError for text the vocabulary cannot express (without [UNK]). */
  encode(text: string, options?: EncodeOptions): Promise<Int32Array>;
  /** Ids to text. Throws SllmInvalidArgumentError for an id outside the vocabulary. */
  decode(ids: ArrayLike<number>): Promise<string>;
  /** The vocabulary entry of an id (e.g. `"a"` or `"[EOS]"`). */
  idToToken(id: number): Promise<string>;
  /** The id of a vocabulary entry, or undefined when there is none. */
  tokenToId(token: string): Promise<number | undefined>;
  /** The tokenizer as JSON (restore it with {@link Engine.loadTokenizer}). */
  serialize(): Promise<TokenizerJSON>;
}
