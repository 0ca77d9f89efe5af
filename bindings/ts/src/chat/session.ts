// chat/session.ts (internal): a model's conversation cache on the main-thread engine: the C++
// ChatSessionHandle (bindings/src/chat_bindings.cpp), which keeps the conversation's tokens in
// a KV cache and reuses their longest common prefix with the next prompt, and a lock so that
// requests on one model run one after the other. A WasmModel makes one on first use and frees
// it with itself; training marks it stale (the cached keys and values came from older weights).

import type { ChatSessionHandle } from '../glue.js';
import { Resource, type Runtime } from '../runtime.js';

/** Sampling options of one reply, as the core names them. */
export interface SessionSampling {
  temperature: number;
  top_p: number;
  top_k: number;
  seed: number;
}

export class WasmChatSession extends Resource<ChatSessionHandle> {
  #stale = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(rt: Runtime, handle: ChatSessionHandle) {
    super(rt, handle, 'chat session');
  }

  /** Waits for the requests before this one; call the returned function when done. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const before = this.#queue;
    this.#queue = before.then(() => mine);
    await before;
    return release;
  }

  /** The weights changed: the next prefill starts from an empty cache. */
  markStale(): void {
    this.#stale = true;
  }

  /** Makes the cache hold exactly ids; returns the positions computed (the rest came from the cache). */
  prefill(ids: Int32Array): number {
    const h = this.handle;
    if (this.#stale) {
      this.rt.invoke(() => h.clear());
      this.#stale = false;
    }
    return this.rt.invoke(() => h.prefill(ids));
  }

  /** Starts a reply with these sampling options (and a fresh text decoder). */
  begin(sampling: SessionSampling): void {
    const h = this.handle;
    const json = JSON.stringify(sampling);
    this.rt.invoke(() => h.begin(json));
  }

  /** The next token id (not yet part of the cache). */
  sample(): number {
    const h = this.handle;
    return this.rt.invoke(() => h.sample());
  }

  /** The complete text the token finishes (possibly ''). */
  piece(id: number): string {
    const h = this.handle;
    return this.rt.invoke(() => h.piece(id));
  }

  /** The reply's undecoded remainder (an unfinished character becomes U+FFFD). */
  flush(): string {
    const h = this.handle;
    return this.rt.invoke(() => h.flush());
  }

  /** Computes the position of a sampled token, for the next token. */
  append(id: number): void {
    const h = this.handle;
    this.rt.invoke(() => h.append(id));
  }

  /** Tokens in the cache. */
  get length(): number {
    const h = this.handle;
    return this.rt.invoke(() => h.length());
  }

  /** The model's context length. */
  get capacity(): number {
    const h = this.handle;
    return this.rt.invoke(() => h.capacity());
  }

  /** Positions computed since the session was made (for tests and statistics). */
  get positionsComputed(): number {
    const h = this.handle;
    return this.rt.invoke(() => h.positionsComputed());
  }

  /** Forgets the conversation. */
  clear(): void {
    const h = this.handle;
    this.rt.invoke(() => h.clear());
  }
}
