// text.ts: strings on their way into WebAssembly. Emscripten's string conversion pairs a lone
// UTF-16 surrogate with whatever follows it, producing a different character; the Web's
// TextEncoder replaces it with U+FFFD. Every string the package passes to the core goes through
// wellFormed() first, so the core sees exactly the UTF-8 that TextEncoder would produce.

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with each lone surrogate replaced by U+FFFD (as TextEncoder does); `s` itself when well formed. */
export function wellFormed(s: string): string {
  const native = (s as { isWellFormed?: () => boolean; toWellFormed?: () => string });
  if (typeof native.isWellFormed === 'function') return native.isWellFormed() ? s : native.toWellFormed!();
  return s.replace(LONE_SURROGATE, '\ufffd');
}
