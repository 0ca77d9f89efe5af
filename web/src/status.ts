// status.ts: the page's honest status: the header's backend / memory / model facts, a polite
// live region for progress announcements, and an alert banner for failures (role="alert"),
// which the user dismisses and which never blocks the page.

import type { Engine, Model } from 'sllm';
import { byId, formatBytes } from './dom.js';
import { describeError } from './messages.js';

const live = () => byId('status-live');

/** Says `msg` to screen readers (and nothing visible). */
export function announce(msg: string): void {
  const el = live();
  el.textContent = '';
  // A new text node after clearing, so repeated messages are read again.
  requestAnimationFrame(() => (el.textContent = msg));
}

/** Shows a failure in the alert banner (and the console for developers, as info). */
export function showError(e: unknown, action: string): string {
  const msg = describeError(e, action);
  byId('alert-text').textContent = msg;
  byId('alert').hidden = false;
  console.info(`[sllm demo] ${action}:`, e);
  return msg;
}

/** Hides the alert banner. */
export function clearError(): void {
  byId('alert').hidden = true;
}

/** Sets the header's "Model" fact; with the model, adds what its weights and a generation take. */
export function setModelStatus(text: string, model?: Model): void {
  byId('status-model').textContent = text;
  if (!model) return;
  model.memory().then(
    (m) => {
      if (byId('status-model').textContent !== text) return;  // another model since
      const held = m.packed ? ' as stored' : '';
      byId('status-model').textContent =
        `${text}; weights ${formatBytes(m.weights)}${held}, a generation adds ${formatBytes(m.kvCache)} of KV cache ` +
        `and ${formatBytes(m.scratch)} of scratch`;
    },
    () => {},  // disposed meanwhile: the text stays as it is
  );
}

/** The header's words for the build that runs and its threads. */
export function backendText(engine: Engine): string {
  if (engine.backend === 'simd-threads') return `WebAssembly SIMD, ${engine.threads} threads`;
  if (engine.backend === 'scalar') return 'WebAssembly (scalar: no SIMD in this browser), 1 thread';
  return crossOriginIsolated
    ? 'WebAssembly SIMD, 1 thread'
    : 'WebAssembly SIMD, 1 thread (the page is not cross-origin isolated)';
}

/** Shows the backend and keeps the memory figure current. */
export function startEngineStatus(engine: Engine): void {
  const el = byId('status-backend');
  el.textContent = backendText(engine);
  el.dataset.backend = engine.backend;
  el.dataset.threads = String(engine.threads);
  const tick = async () => {
    try {
      const m = await engine.memoryStats();
      byId('status-memory').textContent = `${formatBytes(m.heapBytesInUse)} in use of ${formatBytes(m.wasmMemoryBytes)}`;
    } catch {
      /* the engine may be busy or gone; the next tick tries again */
    }
  };
  void tick();
  setInterval(tick, 2000);
}

byId('alert-close').addEventListener('click', clearError);
