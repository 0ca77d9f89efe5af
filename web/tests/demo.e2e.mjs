// demo.e2e.mjs: the demo page's end-to-end test in Debian's Chromium (playwright-core) and
// firefox-esr (puppeteer-core over WebDriver BiDi), one after the other, acting as a person would: train the tiny preset on the built-in stories until the loss fell by 30%,
// pause, resume and stop, talk to the model, save it (and a checkpoint) to IndexedDB, reload,
// load it, download the .sllm and .gguf files and open them again (same text at temperature 0), reject
// corrupt and foreign files without touching what is saved, resume the checkpoint, fine-tune the
// model with LoRA and keep the adapter and the merged model (Chromium), import a
// Hugging Face folder and export one, and check
// the phone layout. Fails on any console error or warning and on main-thread stalls of 100 ms
// or more, and on axe-core's WCAG 2.1 A/AA violations. Screenshots of each stage go to
// web/tests/artifacts/, among them demo-training.png, the README's picture of the page
// mid-training (Chromium's); --update-screenshot copies it to docs/demo-training.png.
// SLLM_BROWSERS=chromium (or firefox) runs one browser.
//
// Usage: node web/tests/demo.e2e.mjs [--no-build] [--update-screenshot]   (after `npm run build`)
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BROWSERS, launchBrowser, startServer } from './harness.mjs';
import { installProbes, makeSteps, PNG_BYTES } from './steps.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const root = fileURLToPath(new URL('./artifacts/', import.meta.url));
let t0 = performance.now();
const secs = () => ((performance.now() - t0) / 1000).toFixed(1);
let browserName = '';
const log = (msg) => console.log(`[demo e2e ${browserName} ${secs()} s] ${msg}`);

if (!process.argv.includes('--no-build')) {
  execFileSync(`${repo}node_modules/.bin/vite`, ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
  log('page built (vite build)');
}
await rm(root, { recursive: true, force: true });
const { server, url } = await startServer(`${repo}web/dist`);
let anyFailed = false;
for (const name of BROWSERS) anyFailed = (await runIn(name)) || anyFailed;
server.close();
process.exit(anyFailed ? 1 : 0);

/** The whole test in one browser; returns true when it failed. Artifacts go to artifacts/<browser>/. */
async function runIn(name) {
browserName = name;
t0 = performance.now();
const artifacts = `${root}${name}/`;
await mkdir(artifacts, { recursive: true });
const browser = await launchBrowser(name, { viewport: { width: 1280, height: 900 } });
const page = await browser.newPage();
const problems = await installProbes(page);
const s = makeSteps(page, artifacts, log);
const timings = {};
let failed = false;

try {
  // 1. Open the page (served cross-origin isolated): the Worker engine runs the threads build on
  // as many threads as the browser reports logical processors (at most 8); pick the built-in
  // corpus and the tiny preset.
  await page.goto(url);
  await s.ready();
  const engine = await page.evaluate(() => {
    const el = document.querySelector('#status-backend');
    return { isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency, text: el.textContent, ...el.dataset };
  });
  log(`engine: ${engine.text} (cross-origin isolated: ${engine.isolated}, ${engine.cores} logical processors)`);
  s.check(engine.isolated, 'the page is not cross-origin isolated');
  s.check(engine.backend === 'simd-threads', `the page runs the ${engine.backend} build, not simd-threads`);
  const threads = Math.min(engine.cores, 8);
  s.check(engine.threads === String(threads) && engine.text.includes(`${threads} threads`),
    `the page shows "${engine.text}" (data-threads ${engine.threads}), not ${threads} threads`);
  await page.check('input[name="source"][value="stories"]');
  await page.select('#stories-size', '300000');
  await page.check('#preset-tiny');
  await page.select('#sample-every', '100');
  await s.shot('01-ready');
  await page.click('#advanced summary');
  await page.click('#preview-box summary');
  await s.axe('page loaded, advanced options and preview open');
  await s.shot('01b-advanced');
  await page.click('#advanced summary');
  await page.click('#preview-box summary');
  timings.load = secs();

  // 2. Train until the loss fell by 30% and two samples came, with the page responsive.
  await page.evaluate(() => window.__probe.reset());
  await page.click('#train-start');
  await s.until('the loss fell by 30% and two samples came', () => {
    const st = window.sllmDemo.train.chart.stats();
    return st.first !== null && st.recent !== null && st.recent <= 0.7 * st.first && window.sllmDemo.train.samples >= 2;
  }, 90_000);
  await s.until('step 1200 (for the picture)', () => Number(document.querySelector('#train-numbers').dataset.step) >= 1200, 120_000);
  // Responsiveness while training (read before the screenshots, which make the page repaint in full).
  const perf = await page.evaluate(() => window.__probe.read());
  log(`main thread while training: longest task ${perf.longest.toFixed(0)} ms (${perf.longTasks} over 50 ms: ${perf.tasks.join(', ')}; now ${perf.now}), longest animation frame ${perf.longestFrame.toFixed(0)} ms, longest heartbeat gap ${perf.maxGap.toFixed(0)} ms`);
  s.check(perf.longest < 100, `a main-thread task took ${perf.longest.toFixed(0)} ms during training (limit 100 ms)`);
  s.check(perf.longestFrame < 100, `a frame took ${perf.longestFrame.toFixed(0)} ms during training (limit 100 ms)`);
  // The heartbeat also counts time the OS gave the page no CPU (a busy 2-core machine), so only starvation fails it.
  s.check(perf.maxGap < 1000, `the page's timers were starved for ${perf.maxGap.toFixed(0)} ms during training`);
  const stats = await page.evaluate(() => window.sllmDemo.train.chart.stats());
  log(`loss ${stats.first.toFixed(3)} -> ${stats.recent.toFixed(3)} over ${stats.points} steps; chart redrawn ${stats.redraws} times`);
  s.check(stats.redraws >= 5, `the chart redrew only ${stats.redraws} times`);
  await s.shot('02-training');
  await s.readmeShot(`${artifacts}demo-training.png`);
  if (process.argv.includes('--update-screenshot') && name === 'chromium') await copyFile(`${artifacts}demo-training.png`, `${repo}docs/demo-training.png`);
  await s.axe('training');
  timings.train = secs();

  // Pause: the step count stops; resume: it moves again; stop: the run ends.
  await page.click('#train-pause');
  await page.wait(600);
  const pausedAt = await s.step();
  await page.wait(800);
  s.check((await s.step()) === pausedAt, 'training went on while paused');
  await page.click('#train-continue');
  await s.until('training moves again', (n) => Number(document.querySelector('#train-numbers').dataset.step) > n, 20_000, pausedAt);
  await page.click('#train-stop');
  await s.until('training stopped', () => /stopped|finished/.test(document.querySelector('#train-numbers').textContent), 20_000);

  // 3. Talk to it at temperature 0; save the model and a checkpoint.
  await s.setGen({ prompt: 'Once upon a time', temperature: '0', length: '120' });
  const textA = await s.generate();
  log(`generated: ${JSON.stringify(textA.slice(0, 80))}…`);
  s.check(textA.length > 40, 'generation produced too little text');
  await s.shot('03-talk');
  await s.save('demo model', 'f32');
  await s.save('demo checkpoint', 'checkpoint');
  await s.shot('04-saved');
  timings.talkSave = secs();

  // 4. Reload: the saved models are listed; load one and get the same text.
  await page.reload();
  await s.ready();
  s.check(JSON.stringify(await s.savedNames()) === JSON.stringify(['demo checkpoint', 'demo model']), 'saved list after reload');
  await s.load('demo model');
  await s.setGen({ prompt: 'Once upon a time', temperature: '0', length: '120' });
  s.check((await s.generate()) === textA, 'the model loaded from IndexedDB generates different text');
  await s.shot('05-reloaded');

  // 5. Download the .sllm file and open it again.
  const file = await s.download('demo model');
  const bytes = await readFile(file);
  log(`downloaded ${bytes.length} bytes`);
  await page.setFiles('#model-file', file);
  await s.until('the opened file is listed', () => !!document.querySelector('tr[data-name="demo model (2)"]'), 20_000);
  s.check((await s.generate()) === textA, 'the model opened from the .sllm file generates different text');
  // ... and as GGUF (for llama.cpp and Ollama), opened again: stored as SLLM, the same text.
  const gguf = await s.download('demo model', 'download-gguf');
  s.check(gguf.endsWith('.gguf') && (await readFile(gguf)).subarray(0, 4).toString() === 'GGUF', `the GGUF download is not a GGUF file: ${gguf}`);
  await page.setFiles('#model-file', gguf);
  await s.until('the opened GGUF file is listed', () => !!document.querySelector('tr[data-name="demo model (3)"]'), 20_000);
  const ggufStatus = await page.text('#status-model');
  s.check(/GGUF model \(llama\.cpp architecture gpt2/.test(ggufStatus), `the GGUF model's status does not say what it is: ${ggufStatus}`);
  s.check((await s.generate()) === textA, 'the model opened from the .gguf file generates different text');
  const namesBefore = await s.savedNames();
  await s.shot('06-uploaded');
  timings.reloadDownloadUpload = secs();

  // 6. Corrupt and foreign files: a format error, and nothing saved changes.
  const flipped = Buffer.from(bytes);
  flipped[Math.floor(flipped.length / 2)] ^= 0x40;
  const bad = [
    { name: 'picture.png', mimeType: 'image/png', buffer: PNG_BYTES },
    { name: 'truncated.sllm', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, Math.floor(bytes.length * 0.6)) },
    { name: 'flipped.sllm', mimeType: 'application/octet-stream', buffer: flipped },
  ];
  const modelBefore = await page.text('#status-model');
  for (const f of bad) {
    if (await page.visible('#alert')) await page.click('#alert-close');
    await page.setFiles('#model-file', f);
    await s.until(`the format error for ${f.name}`, () => !document.querySelector('#alert').hidden, 20_000);
    const msg = await page.text('#alert-text');
    log(`${f.name}: ${msg}`);
    s.check(/not a model file sllm can read/.test(msg), `no format error for ${f.name}: ${msg}`);
    s.check(JSON.stringify(await s.savedNames()) === JSON.stringify(namesBefore), `${f.name} changed the saved list`);
    s.check((await page.text('#status-model')) === modelBefore, `${f.name} replaced the current model`);
  }
  await s.shot('07-bad-file');
  await s.axe('format error shown, models saved');
  await page.click('#alert-close');
  await s.load('demo model');
  s.check((await s.generate()) === textA, 'the saved model no longer loads the same after the bad files');
  timings.badFiles = secs();

  // 7. Resume the checkpoint for a few steps: the page picks the corpus it was trained on again.
  await page.select('#stories-size', '100000');
  await s.load('demo checkpoint');
  await page.click('#train-resume-cp');
  s.check((await page.value('#stories-size')) === '300000', 'resuming did not select the checkpoint\'s corpus');
  const cpStep = Number((await page.text('#status-model')).match(/step ([\d,]+)/)[1].replace(/,/g, ''));
  await s.until('the checkpoint trains on', (n) => Number(document.querySelector('#train-numbers').dataset.step) > n + 5, 30_000, cpStep);
  await page.click('#train-stop');
  await s.until('training stopped', () => /stopped|finished/.test(document.querySelector('#train-numbers').textContent), 20_000);
  log(`checkpoint resumed from step ${cpStep}`);
  await s.shot('08-resumed');
  await s.axe('checkpoint resumed and stopped');

  // 7a. LoRA fine-tuning (Chromium): the saved model, fine-tuned on other text with a rank-4 adapter
  // and the memory savers, in the Worker; its sample shows beside the base's; the adapter alone is
  // kept (listed, downloaded as a small SLLM file, opened again onto its base: the same text) and
  // so is the merged model (saved as a model, loaded: the same text as base + adapter).
  if (name === 'chromium') {
    await s.load('demo model');
    await page.select('#stories-size', '100000');
    await page.fill('#ft-rank', '4');
    await page.fill('#ft-steps', '60');
    await s.until('the LoRA memory estimate', () => /parameters train/.test(document.querySelector('#ft-estimate').textContent), 20_000);
    log(`LoRA estimate: ${await page.text('#ft-estimate')}`);
    await page.click('#ft-start');
    await s.until('the LoRA run ends and the comparison shows',
      () => Number(document.querySelector('#ft-compare-box').dataset.comparisons ?? 0) >= 1, 180_000);
    const cmp = await page.evaluate(() => ({
      base: document.querySelector('#ft-base').textContent, tuned: document.querySelector('#ft-tuned').textContent,
      status: document.querySelector('#status-model').textContent, numbers: document.querySelector('#train-numbers').textContent,
    }));
    log(`LoRA: ${cmp.status}; ${cmp.numbers}`);
    log(`base: ${JSON.stringify(cmp.base.slice(0, 60))}… tuned: ${JSON.stringify(cmp.tuned.slice(0, 60))}…`);
    s.check(/LoRA adapter \(rank 4, attn_q, attn_k, attn_v, attn_output, ffn_up, ffn_down/.test(cmp.status), `the status does not show the adapter: ${cmp.status}`);
    s.check(/Step 60 of 60/.test(cmp.numbers), `the LoRA run did not reach step 60: ${cmp.numbers}`);
    s.check(cmp.base.length > 40 && cmp.tuned.length > 40, 'the comparison shows too little text');
    s.check(cmp.base !== cmp.tuned, 'the fine-tuned model samples the same text as its base');
    await s.shot('08a-lora');
    await s.axe('LoRA fine-tuned, comparison shown');
    await s.setGen({ prompt: 'Once upon a time', temperature: '0', length: '80' });
    const tuned = await s.generate();
    s.check(tuned.length > 40, 'base + adapter generated too little text');
    await s.save('demo adapter', 'adapter');
    const kindText = await page.text('tr[data-name="demo adapter"] td:nth-child(2)');
    s.check(kindText === 'LoRA adapter, rank 4', `the adapter is listed as "${kindText}"`);
    const adapterFile = await s.download('demo adapter');
    const adapterBytes = await readFile(adapterFile);
    log(`adapter file ${adapterBytes.length} bytes (the model's: ${bytes.length})`);
    s.check(adapterBytes.subarray(0, 4).toString() === 'SLLM' && adapterBytes.length < bytes.length / 3,
      `the adapter download is not a small SLLM file (${adapterBytes.length} bytes)`);
    await s.save('demo tuned', 'f32');
    await s.load('demo tuned');
    s.check((await s.generate()) === tuned, 'the merged model generates other text than base + adapter');
    await s.load('demo model');
    await page.setFiles('#model-file', adapterFile);
    await s.until('the opened adapter is on the model', () => /\+ LoRA adapter/.test(document.querySelector('#status-model').textContent), 20_000);
    s.check((await s.generate()) === tuned, 'the adapter opened onto its base generates other text');
    await s.shot('08a-lora-kept');
    timings.lora = secs();
  }

  // 7b. A Hugging Face model folder (the gpt2 fixture's files, chosen together) is imported, stored
  // and listed, and talks; the current model exports for Hugging Face as separate downloads (where
  // the browser has no folder picker); files without config.json are refused, nothing changed.
  const hfDir = `${repo}native-tests/fixtures/hf/gpt2/`;
  const hfNames = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];
  await page.setFiles('#model-file', hfNames.map((f) => hfDir + f));
  await s.until('the imported folder is listed', () => !!document.querySelector('#saved-list tr[data-name="Hugging Face model"]'), 30_000);
  s.check(/Hugging Face model/.test(await page.text('#status-model')), 'the imported model is not the current one');
  await s.setGen({ prompt: 'the', temperature: '0', length: '20' });
  s.check((await s.generate()).length > 0, 'the imported model generated nothing');
  await page.evaluate(() => { window.showDirectoryPicker = undefined; });
  const exported = await page.downloadAll('#hf-export', hfNames.length);
  s.check(JSON.stringify(exported) === JSON.stringify([...hfNames].sort()), `exported files: ${exported.join(', ')}`);
  const namesWithHf = await s.savedNames();
  await page.setFiles('#model-file', [hfDir + 'tokenizer.json', hfDir + 'model.safetensors']);
  await s.until('the error for a folder without config.json', () => !document.querySelector('#alert').hidden, 20_000);
  const hfMsg = await page.text('#alert-text');
  log(`folder without config.json: ${hfMsg}`);
  s.check(/no config\.json among the files/.test(hfMsg), `no clear error for a folder without config.json: ${hfMsg}`);
  s.check(JSON.stringify(await s.savedNames()) === JSON.stringify(namesWithHf), 'a refused folder changed the saved list');
  await page.click('#alert-close');
  await s.shot('08b-hugging-face');
  timings.huggingFace = secs();

  // 8. Phone width: one column, nothing wider than the screen.
  await page.setViewport(390, 844);
  await page.wait(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  s.check(overflow <= 0, `the page is ${overflow}px wider than a phone screen`);
  await s.shot('09-phone', true);
  await page.scrollIntoView('#keep');
  await s.shot('10-phone-keep', false);
  await s.axe('phone width');

  // 9. The scalar build (for browsers without wasm SIMD) says so and runs the saved model.
  await page.setViewport(1280, 900);
  await page.goto(`${url}?backend=scalar`);
  await s.ready();
  const backend = await page.text('#status-backend');
  s.check(/scalar/.test(backend), `?backend=scalar shows "${backend}"`);
  await s.load('demo model');
  await s.setGen({ prompt: 'Once upon a time', temperature: '0', length: '120' });
  const textScalar = await s.generate();
  log(`scalar build: ${textScalar === textA ? 'the same text' : 'other text'} at temperature 0`);
  s.check(textScalar.length > 40, 'the scalar build generated too little text');
  timings.end = secs();
} catch (e) {
  failed = true;
  console.error(`[demo e2e ${name}] FAILED: ${e instanceof Error ? e.message : e}`);
  await s.shot('failure').catch(() => {});
}

for (const p of problems) console.error(`[demo e2e ${name}] console ${p}`);
if (problems.length) failed = true;
if (s.failures.length) failed = true;
for (const f of s.failures) console.error(`[demo e2e ${name}] check failed: ${f}`);
await writeFile(`${artifacts}timings.json`, JSON.stringify(timings, null, 2));
await browser.close();
log(`${failed ? 'FAILED' : 'passed'} (stages done at ${JSON.stringify(timings)} s; screenshots in ${artifacts})`);
return failed;
}
