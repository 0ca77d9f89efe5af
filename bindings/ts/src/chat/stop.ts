// chat/stop.ts: stop strings over streamed text. Pieces go in as the model produces them; what
// comes out never contains a stop string nor any part of one: text that could be the start of
// a stop string is held back until the next piece shows whether it is.

/** The result of one push: the text that is safe to emit now, and whether a stop string ended the reply. */
export interface StopPush {
  text: string;
  stopped: boolean;
}

export class StopMatcher {
  readonly #stops: string[];
  readonly #longest: number;
  #held = '';
  #stopped = false;

  /** @param stops - non-empty strings. */
  constructor(stops: readonly string[]) {
    this.#stops = [...new Set(stops)];
    this.#longest = Math.max(0, ...this.#stops.map((s) => s.length));
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /**
   * Adds a piece; returns the text that is safe to emit. The reply stops at the earliest place a
   * stop string starts, however the text was cut into pieces: a match is only acted on once no
   * stop string that would start earlier is still incomplete at the end of the text.
   */
  push(piece: string): StopPush {
    if (this.#stopped) return { text: '', stopped: true };
    const text = this.#held + piece;
    const cut = this.#firstMatch(text);
    const pending = this.#firstPartial(text, cut < 0 ? text.length : cut);
    if (cut >= 0 && pending < 0) return this.#stop(text, cut);
    const keep = pending < 0 ? text.length : pending;
    this.#held = text.slice(keep);
    return { text: text.slice(0, keep), stopped: false };
  }

  /** At the end of the reply: the text held back, cut at a stop string it holds (then stopped). */
  flush(): StopPush {
    if (this.#stopped) return { text: '', stopped: true };
    const text = this.#held;
    this.#held = '';
    const cut = this.#firstMatch(text);
    return cut >= 0 ? this.#stop(text, cut) : { text, stopped: false };
  }

  #stop(text: string, cut: number): StopPush {
    this.#held = '';
    this.#stopped = true;
    return { text: text.slice(0, cut), stopped: true };
  }

  /** Where the earliest complete stop string starts in text, or -1. */
  #firstMatch(text: string): number {
    let cut = -1;
    for (const s of this.#stops) {
      const i = text.indexOf(s);
      if (i >= 0 && (cut < 0 || i < cut)) cut = i;
    }
    return cut;
  }

  /** The first position before limit from which the rest of text is a proper prefix of a stop string, or -1. */
  #firstPartial(text: string, limit: number): number {
    for (let j = Math.max(0, text.length - this.#longest + 1); j < limit; j++) {
      const tail = text.slice(j);
      if (this.#stops.some((s) => s.length > tail.length && s.startsWith(tail))) return j;
    }
    return -1;
  }
}
