// yield.ts (internal): giving the event loop a turn between training steps and during
// generation, so pages stay responsive, timers and AbortSignals fire, and pause()/stop()
// calls from event handlers take effect. A macrotask, not a microtask: promises alone would
// starve rendering and I/O.
//
// Not scheduler.yield(): its continuation runs ahead of other tasks, so a loop that yields
// with it starves timers completely and rendering to ~10 frames/s (measured in Chromium 156:
// 0 of 200 10-ms interval callbacks fired in 2 s of 2-ms steps). A MessageChannel message
// lets timers and frames run (199 of 200, frames every 18 ms) at the same step rate; setTimeout
// would too, but its 4 ms clamp cut the step rate of 2-ms steps by two thirds.

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

/** @internal Resolves after pending events and timers had a chance to run. */
export function yieldToEventLoop(): Promise<void> {
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
