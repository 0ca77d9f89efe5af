// store-crash.test.ts: a save interrupted by the browser dying. Chromium is killed (SIGKILL)
// while the model store writes a 25 MB model over a saved one; a new Chromium on the same
// profile must find a whole version under that name, the old one or (had the transaction
// committed first) the new one, never a mix or leftover pieces, and the checksum must hold.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, openPage, REPO, startServer, type Browser, type Server } from './harness.js';

let server: Server;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startServer(REPO, { bareImports: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The PID of the Chromium browser process of a profile (its renderers and utilities die with it). */
function chromiumPid(userDataDir: string): number {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const main = ps
    .split('\n')
    .filter((l) => l.includes(`--user-data-dir=${userDataDir}`) && !l.includes('--type='))
    .map((l) => Number.parseInt(l.trim(), 10));
  expect(main).toHaveLength(1);
  return main[0];
}

interface Inspected {
  info?: { bytes: number };
  loaded: { bytes?: number; error?: string };
  list: string[];
  chunks: number;
}

it('keeps a whole version when the browser dies in the middle of a save', async () => {
  browser = await launch();
  const url = `${server.url}/wasm-tests/browser/pages/index.html`;
  const first = await openPage(browser, url, 'store-crash-before');
  const old = await first.run<{ bytes: number }>('saveSmall', { name: 'crash test', db: 'crash' });
  const pid = chromiumPid(browser.userDataDir);
  const idbDir = join(browser.userDataDir, 'Default/IndexedDB');
  const onDisk = () => Number.parseInt(execFileSync('du', ['-sb', idbDir], { encoding: 'utf8' }), 10);
  const before = onDisk();
  const big = await first.run<{ bytes: number }>('startBigSave', { name: 'crash test', db: 'crash' });
  // kill as soon as the new version's data is reaching the disk (the save takes some tens of ms)
  const t0 = performance.now();
  while (onDisk() < before + 1_000_000 && performance.now() - t0 < 5000);
  process.kill(pid, 'SIGKILL');
  const written = onDisk() - before;
  const state = await first.page.evaluate(() => (window as unknown as { bigSave?: unknown }).bigSave).catch(() => 'gone');
  await browser.close({ keepProfile: true });

  browser = await launch('chromium', { userDataDir: browser.userDataDir });
  const second = await openPage(browser, url, 'store-crash-after');
  const after = await second.run<Inspected>('inspect', { name: 'crash test', db: 'crash' });
  const survivor = after.info?.bytes === old.bytes ? 'the old version' : 'the new version';
  console.log(`killed Chromium during a ${(big.bytes / 1e6).toFixed(1)} MB save (page state: ${String(state)}, ` +
    `${(written / 1e6).toFixed(1)} MB of it written to disk); ` +
    `after restarting, the store has ${survivor} (${after.info?.bytes} bytes)`);
  expect(after.list).toEqual(['crash test']);
  expect([old.bytes, big.bytes]).toContain(after.info?.bytes);
  expect(after.loaded).toEqual({ bytes: after.info?.bytes });
  // no pieces of the other version were left behind (saveSmall writes one chunk, startBigSave 256 KiB ones)
  expect(after.chunks).toBe(after.info?.bytes === old.bytes ? 1 : Math.ceil(big.bytes / (256 << 10)));
  await second.finish();
});
