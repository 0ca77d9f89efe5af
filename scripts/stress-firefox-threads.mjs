#!/usr/bin/env node
// stress-firefox-threads.mjs: creates threaded Worker engines many times in a browser (Firefox by
// default) to measure how often the first worker stalls (issue 11: about 1 in 50 in Firefox).
// Not part of `npm test`. Runs wasm-tests/browser/stress/threads-stall.stress.ts through vitest;
// needs the package in dist/ (npm run build). Usage:
//   node scripts/stress-firefox-threads.mjs [--browser firefox|chromium] [--mode dispose|keep|reload]
//        [--cycles 200] [--timeout-ms 15000] [--threads 2] [--driver bidi|bidi-page|none] [--quiet]
// --driver none starts Firefox on a page that runs the cycles itself (no WebDriver BiDi);
// --driver bidi-page has puppeteer start the browser and open that page.
// Writes build/stress/<browser>-<mode>.{jsonl,console.log,json}; the last line is the summary JSON.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './bench-util.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const env = {
  ...process.env,
  STRESS_BROWSER: opt('browser', 'firefox'),
  STRESS_MODE: opt('mode', 'dispose'),
  STRESS_CYCLES: opt('cycles', '200'),
  STRESS_TIMEOUT_MS: opt('timeout-ms', '15000'),
  STRESS_THREADS: opt('threads', '2'),
  STRESS_DRIVER: opt('driver', 'bidi'),
  STRESS_QUIET: args.includes('--quiet') ? '1' : '0',
};
const r = spawnSync('node_modules/.bin/vitest', ['run', '-c', 'wasm-tests/browser/stress/vitest.config.ts'], {
  cwd: root, env, stdio: 'inherit',
});
const summary = readFileSync(join(root, 'build/stress', `${env.STRESS_BROWSER}-${env.STRESS_MODE}.json`), 'utf8');
console.log(JSON.stringify(JSON.parse(summary)));
process.exit(r.status ?? 1);
