// serve.mjs: starts the Vite dev server for the demo page on 127.0.0.1 (a real origin, so
// IndexedDB works) and prints its address. `npm start` runs it after building the package.
// PORT picks the port (default 5173; the next free one if taken).
import { createServer } from 'vite';

const server = await createServer({
  configFile: new URL('./vite.config.ts', import.meta.url).pathname,
  server: { host: '127.0.0.1', port: Number(process.env.PORT ?? 5173) },
  clearScreen: false,
  logLevel: 'warn',
});
await server.listen();
const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${server.config.server.port}/`;
const line = '='.repeat(url.length + 24);
console.log(`\n${line}\n  sllm demo running at ${url}\n${line}\n  Open it in a browser. Press Ctrl+C to stop.\n`);
