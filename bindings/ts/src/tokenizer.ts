// tokenizer.ts (internal): the main-thread Tokenizer over a C++ TokenizerHandle.

import { wellFormed } from './text.js';
import type { TokenizerHandle } from './glue.js';
import { Resource, type Runtime } from './runtime.js';
import type { EncodeOptions, SpecialTokenIds, Tokenizer, TokenizerJSON, TokenizerType } from './types.js';

export class WasmTokenizer extends Resource<TokenizerHandle> implements Tokenizer {
  readonly type: TokenizerType;
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;

  constructor(rt: Runtime, handle: TokenizerHandle) {
    super(rt, handle, 'tokenizer');
    this.type = rt.invoke(() => handle.type()) as TokenizerType;
    this.vocabSize = rt.invoke(() => handle.vocabSize());
    this.specialTokens = Object.freeze(JSON.parse(rt.invoke(() => handle.specialJson())) as SpecialTokenIds);
  }

  /** @internal The handle, for engine calls that take a tokenizer. */
  get wasmHandle(): TokenizerHandle {
    return this.handle;
  }

  async encode(text: string, options: EncodeOptions = {}): Promise<Int32Array> {
    const h = this.handle;
    return this.rt.invoke(() => h.encode(wellFormed(text), options.allowSpecial === true));
  }

  async decode(ids: ArrayLike<number>): Promise<string> {
    const h = this.handle;
    return this.rt.invoke(() => h.decode(ids));
  }

  async idToToken(id: number): Promise<string> {
    const h = this.handle;
    return this.rt.invoke(() => h.tokenString(id));
  }

  async tokenToId(token: string): Promise<number | undefined> {
    const h = this.handle;
    const id = this.rt.invoke(() => h.tokenId(wellFormed(token)));
    return id < 0 ? undefined : id;
  }

  async serialize(): Promise<TokenizerJSON> {
    const h = this.handle;
    return JSON.parse(this.rt.invoke(() => h.toJson())) as TokenizerJSON;
  }
}
