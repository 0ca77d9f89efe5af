import { startServer, launchChromium } from './harness.mjs';
const { server, url } = await startServer(new URL('../dist', import.meta.url).pathname);
const b = await launchChromium();
const page = b.context.pages()[0] ?? await b.context.newPage();
page.on('console', (m) => console.log('[console]', m.type(), m.text()));
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
await page.addInitScript(() => {
  window.__perf = { maxGap: 0, longest: 0, long: 0 };
  let last = performance.now();
  setInterval(() => { const t = performance.now(); window.__perf.maxGap = Math.max(window.__perf.maxGap, t - last); last = t; }, 20);
  new PerformanceObserver((l) => { for (const e of l.getEntries()) { window.__perf.long++; window.__perf.longest = Math.max(window.__perf.longest, e.duration); } }).observe({ type: 'longtask', buffered: true });
});
await page.goto(url);
await page.waitForSelector('body[data-ready]', { timeout: 30000 });
console.log('ready', await page.evaluate(() => JSON.stringify(window.__perf)));
await page.evaluate(() => { window.__perf = { maxGap: 0, longest: 0, long: 0 }; document.getElementById('train-start').click(); });
for (let i = 0; i < 6; i++) {
  const t = Date.now();
  const s = await page.evaluate(() => document.getElementById('train-numbers').textContent);
  console.log(Date.now() - t, 'ms', s, await page.evaluate(() => JSON.stringify(window.__perf)));
  await new Promise((r) => setTimeout(r, 2000));
}
await page.screenshot({ path: '/tmp/smoke.png', fullPage: true });
await b.close(); server.close();
