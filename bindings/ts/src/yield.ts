// yield.ts (internal): giving the event loop a turn between training steps and during
// generation, so pages stay responsive, timers and AbortSignals fire, and pause()/stop()
// calls from event handlers take effect. A macrotask, not a microtask: promises alone would
// starve rendering and I/O.

type Scheduler = { yield?: () => Promise<void> };

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

/** @internal Resolves after pending events and timers had a chance to run. */
export function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  const setImmediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    if (!channel) {
      channel = new MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
    }
    const port = channel.port2;
    return new Promise((resolve) => {
      waiting.push(resolve);
      port.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
