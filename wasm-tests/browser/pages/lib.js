// lib.js: what the Chromium tests do inside the page. Each function takes the sllm package
// (its module namespace: dist/ unbundled, or the Vite-bundled npm package) and returns plain
// data for the test to check. Progress is shown in the page's <pre id="out"> for screenshots.

/** A varied, repetitive text (~20 KB, 26 distinct characters), as wasm-tests/helpers.ts makes it. */
export function corpus(lines = 800) {
  const names = ['Ada', 'Bo', 'Cy', 'Di'];
  const verbs = ['sees', 'likes', 'finds', 'helps'];
  let seed = 12345;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 16) % n;
  };
  let s = '';
  for (let i = 0; i < lines; i++) s += `${names[next(4)]} ${verbs[next(4)]} ${names[next(4)]}.\n`;
  return s;
}

const TEXT = corpus();
const SMALL = { contextLength: 32, dim: 32, layers: 2, heads: 2, ffnDim: 64 };
const QUICK = { batchSize: 4, sequenceLength: 32, learningRate: 3e-3, minLearningRate: 3e-4, warmupSteps: 5, evalBatches: 2 };
/** A model whose training step takes long enough to show on a main thread (tens of ms). */
const HEAVY = { contextLength: 64, dim: 128, layers: 4, heads: 4, ffnDim: 512 };
const HEAVY_TRAINING = { batchSize: 8, sequenceLength: 64, learningRate: 1e-3, warmupSteps: 2 };

const out = () => document.getElementById('out');
export function show(line) {
  const pre = out();
  if (pre) pre.textContent += `${line}\n`;
}

/**
 * Where each Worker engine's worker that stalled (and was replaced by createWorkerEngine)
 * stalled: in Firefox driven by WebDriver BiDi, as these tests are, about 1 in 100 threaded
 * starts hang in a pthread Web Worker's constructor ('thread-worker'; see worker-start.ts).
 */
const stalls = [];
const HOOKS = Symbol.for('sllm.workerEngineHooks');

/** The stages of the Worker engines' stalled workers so far (see stalls). */
export function stallStages() {
  return stalls;
}

function engineOf(sllm, { worker = false, backend, threads } = {}) {
  const options = { ...(backend ? { backend } : {}), ...(threads ? { threads } : {}) };
  return worker ? sllm.createWorkerEngine({ ...options, [HOOKS]: { onStall: (stage) => stalls.push(stage) } }) : sllm.createEngine(options);
}

async function smallModel(engine) {
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
  const model = await engine.createModel({ tokenizer, config: SMALL });
  return { tokenizer, model };
}

/** Trains the small model for `steps` and generates from it (greedy, so the text is reproducible). */
export async function trainAndGenerate(sllm, { worker = false, backend, threads, steps = 40 } = {}) {
  const engine = await engineOf(sllm, { worker, backend, threads });
  try {
    const { model } = await smallModel(engine);
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: steps });
    const losses = [];
    let last;
    for await (const p of trainer.run()) {
      losses.push(p.loss);
      last = p;
    }
    const text = await model.generate('Ada ', { maxTokens: 60, temperature: 0 });
    // The start of the same continuation through the chat API (its Jinja template renders the
    // prompt 'Ada '; 20 tokens, well inside the context, which a chat reply does not slide past).
    const chat = await engine.chat.completions.create({
      model, messages: [{ role: 'user', content: 'Ada' }], chat_template: '{% for m in messages %}{{ m.content }} {% endfor %}',
      temperature: 0, max_tokens: 20,
    });
    const chatText = chat.choices[0].message.content;
    show(`${worker ? 'worker' : 'main'} ${engine.backend} (${engine.threads} threads): loss ${losses[0].toFixed(3)} -> ${last.loss.toFixed(3)}, ` +
      `${Math.round(last.tokensPerSecond)} tokens/s; "${text.replace(/\n/g, ' ')}"`);
    return {
      backend: engine.backend,
      threads: engine.threads,
      isolated: globalThis.crossOriginIsolated === true,
      simdSupported: sllm.simdSupported(),
      steps: losses.length,
      firstLoss: losses[0],
      lastLoss: last.loss,
      tokensPerSecond: last.tokensPerSecond,
      text,
      chatText,
    };
  } finally {
    engine.dispose();
  }
}

/** Trains, saves the model to the IndexedDB store and returns the greedy text it generates. */
export async function trainAndSave(sllm, { name, steps = 40, dtype = 'f32', db = 'sllm' }) {
  const engine = await sllm.createEngine();
  const store = await sllm.openModelStore({ name: db });
  try {
    const { model } = await smallModel(engine);
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: steps });
    for await (const _ of trainer.run());
    const text = await model.generate('Bo ', { maxTokens: 60, temperature: 0 });
    const bytes = await model.save({ dtype, metadata: { name } });
    const info = await store.save(name, bytes, { metadata: { corpus: 'test stories' } });
    await store.save(`${name} checkpoint`, await trainer.saveCheckpoint());
    show(`saved "${name}": ${info.bytes} bytes; "${text.replace(/\n/g, ' ')}"`);
    return { text, info, persisted: await store.persisted(), estimate: await store.estimate() };
  } finally {
    store.close();
    engine.dispose();
  }
}

/** Loads a saved model from the store (after a reload) and generates the same greedy text. */
export async function loadAndGenerate(sllm, { name, worker = false, db = 'sllm' }) {
  const store = await sllm.openModelStore({ name: db });
  const engine = await engineOf(sllm, { worker });
  try {
    const list = await store.list();
    const bytes = await store.load(name);
    const { model, metadata } = await engine.loadModel(bytes, { transfer: true });
    const text = await model.generate('Bo ', { maxTokens: 60, temperature: 0 });
    show(`loaded "${name}" (${worker ? 'worker' : 'main'}): "${text.replace(/\n/g, ' ')}"`);
    return { text, names: list.map((i) => i.name), kinds: list.map((i) => i.kind), metadata, info: await store.info(name) };
  } finally {
    store.close();
    engine.dispose();
  }
}

/**
 * Measures the main thread's longest stall (the largest gap between setTimeout(0) heartbeats,
 * and Long Tasks) while the heavy model trains for `steps` steps in the main-thread engine or a
 * Worker engine.
 */
export async function stallDuringTraining(sllm, { worker, steps = 12 }) {
  const engine = await engineOf(sllm, { worker });
  try {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const model = await engine.createModel({ tokenizer, config: HEAVY });
    const trainer = await engine.createTrainer(model, { text: TEXT, ...HEAVY_TRAINING, maxSteps: steps });
    const longTasks = [];
    const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: 'longtask' });
    let maxStall = 0;
    let beats = 0;
    let running = true;
    let last = performance.now();
    const beat = () => {
      const now = performance.now();
      maxStall = Math.max(maxStall, now - last);
      last = now;
      beats++;
      if (running) setTimeout(beat, 0);
    };
    setTimeout(beat, 0);
    const t0 = performance.now();
    let progress;
    for await (const p of trainer.run()) progress = p;
    const ms = performance.now() - t0;
    running = false;
    await new Promise((r) => setTimeout(r, 50));
    observer.disconnect();
    const result = {
      backend: engine.backend,
      steps: progress.step,
      stepMs: ms / progress.step,
      maxStallMs: maxStall,
      heartbeats: beats,
      longTasks: longTasks.length,
      longestTaskMs: Math.max(0, ...longTasks),
    };
    show(`${worker ? 'worker' : 'main thread'}: ${result.steps} steps of ${result.stepMs.toFixed(0)} ms, ` +
      `longest main-thread stall ${result.maxStallMs.toFixed(1)} ms`);
    return result;
  } finally {
    engine.dispose();
  }
}

/** pause/resume/stop of a Worker engine's run while it is in progress, then streamed generation. */
export async function workerControls(sllm) {
  const engine = await engineOf(sllm, { worker: true });
  try {
    const { model } = await smallModel(engine);
    const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: 1000 });
    const events = [];
    let pausedFor = 0;
    const runStart = performance.now();
    for await (const p of trainer.run()) {
      events.push(p.step);
      if (p.step === 3) {
        // pause from an unrelated task (as a button's click handler would)
        await new Promise((r) => setTimeout(r, 0));
        trainer.pause();
        const t = performance.now();
        setTimeout(() => {
          pausedFor = performance.now() - t;
          events.push(`resume(${trainer.state})`);
          trainer.resume();
        }, 300);
      }
      if (p.step === 8) setTimeout(() => trainer.stop(), 0);
    }
    const stateAfterStop = trainer.state;
    const runMs = performance.now() - runStart;
    // a second run continues from where stop() left off
    const next = await trainer.run().next();
    // streamed generation: pieces arrive one time slice at a time
    const pieces = [];
    const firstPieceAt = [];
    const t0 = performance.now();
    for await (const piece of model.stream('Ada ', { maxTokens: 300, temperature: 0, stopAtEos: false })) {
      pieces.push(piece);
      if (firstPieceAt.length === 0) firstPieceAt.push(performance.now() - t0);
    }
    const whole = await model.generate('Ada ', { maxTokens: 300, temperature: 0, stopAtEos: false });
    // abort a stream in the middle
    const abort = new AbortController();
    let aborted = '';
    try {
      for await (const _ of model.stream('', { maxTokens: 100000, stopAtEos: false, signal: abort.signal })) abort.abort();
    } catch (e) {
      aborted = e.name;
    }
    show(`worker run: steps ${events.join(' ')}; paused ${pausedFor.toFixed(0)} ms; streamed ${pieces.length} pieces`);
    return {
      events,
      pausedFor,
      runMs,
      stateAfterStop,
      nextStep: next.value?.step,
      pieces: pieces.length,
      streamed: pieces.join(''),
      whole,
      firstPieceMs: firstPieceAt[0],
      aborted,
    };
  } finally {
    engine.dispose();
  }
}

/** Saves `name` with the current quota, to see a later save over it fail with SllmQuotaError. */
export async function saveSmall(sllm, { name, db = 'sllm' }) {
  const engine = await sllm.createEngine();
  const store = await sllm.openModelStore({ name: db });
  try {
    const { model } = await smallModel(engine);
    const bytes = await model.save({ dtype: 'q8_0' });
    await store.save(name, bytes);
    return { bytes: bytes.length, estimate: await store.estimate() };
  } finally {
    store.close();
    engine.dispose();
  }
}

/** Tries to save a large model over `name`; returns the error and what the store then holds. */
export async function saveTooBig(sllm, { name, db = 'sllm' }) {
  const engine = await sllm.createEngine();
  const store = await sllm.openModelStore({ name: db, chunkBytes: 1 << 20 });
  try {
    const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
    const model = await engine.createModel({ tokenizer, config: HEAVY });
    const bytes = await model.save();
    let error;
    try {
      await store.save(name, bytes);
    } catch (e) {
      error = { name: e.name, code: e.code, message: e.message, needed: e.needed, available: e.available,
        isQuota: e instanceof sllm.SllmQuotaError };
    }
    const info = await store.info(name);
    const reloaded = await store.load(name);
    show(`saving ${bytes.length} bytes: ${error ? error.message : 'saved'}`);
    return { bytes: bytes.length, error, info, reloadedBytes: reloaded.length, list: (await store.list()).map((i) => i.name) };
  } finally {
    store.close();
    engine.dispose();
  }
}

/** Starts saving a large model over `name` and returns while its transaction is under way (for a crash test). */
export async function startBigSave(sllm, { name, db = 'sllm' }) {
  const engine = await sllm.createEngine();
  const tokenizer = await engine.createTokenizer({ type: 'char', text: TEXT });
  const model = await engine.createModel({ tokenizer, config: { ...HEAVY, layers: 8, dim: 256, ffnDim: 1024 } });
  const bytes = await model.save();
  engine.dispose();
  const store = await sllm.openModelStore({ name: db, chunkBytes: 256 << 10 });
  window.bigSave = store.save(name, bytes).then(() => 'saved', (e) => e.name);
  // the save has validated the file and queued its writes: return before they can be committed
  await new Promise((r) => setTimeout(r, 0));
  return { bytes: bytes.length };
}

/** What the store holds under `name`: its catalog entry and whether its bytes load (checksum verified). */
export async function inspect(sllm, { name, db = 'sllm' }) {
  const store = await sllm.openModelStore({ name: db });
  try {
    const info = await store.info(name);
    let loaded;
    try {
      loaded = { bytes: (await store.load(name)).length };
    } catch (e) {
      loaded = { error: `${e.name}: ${e.message}` };
    }
    return { info, loaded, list: (await store.list()).map((i) => i.name), chunks: await countChunks(db) };
  } finally {
    store.close();
  }
}

/** Records in the store's chunk object store, read with plain IndexedDB. */
function countChunks(db) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(db);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction('chunks').objectStore('chunks').count();
      count.onsuccess = () => {
        open.result.close();
        resolve(count.result);
      };
      count.onerror = () => reject(count.error);
    };
  });
}

/** Creates a Worker engine `cycles` times, trains `steps` steps in each and disposes it. */
export async function engineCycles(sllm, { cycles = 10, steps = 2, threads } = {}) {
  const seen = [];
  for (let i = 0; i < cycles; i++) {
    const engine = await engineOf(sllm, { worker: true, threads });
    try {
      const { model } = await smallModel(engine);
      const trainer = await engine.createTrainer(model, { text: TEXT, ...QUICK, maxSteps: steps });
      for await (const _ of trainer.run());
      seen.push(`${engine.backend}/${engine.threads}`);
    } finally {
      engine.dispose();
    }
  }
  show(`${cycles} Worker engines created, trained and disposed: ${[...new Set(seen)].join(', ')}`);
  return seen;
}
