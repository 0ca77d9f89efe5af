// vite.config.ts: the demo page (web/) as a Vite app. It imports the package as an app that
// installed it would (`import ... from 'sllm'`); the alias points that name at the repo's
// built package, ../dist/index.js (run `npm run build` first), whose .wasm files Vite finds
// through their `new URL('./wasm/...', import.meta.url)` references and copies on build.
// The dev and preview servers send the two headers that make the page cross-origin isolated,
// so its Worker engine can use shared memory and the threads build (docs/package.md).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  resolve: { alias: { sllm: `${repo}dist/index.js` } },
  server: { host: '127.0.0.1', port: 5173, fs: { allow: [repo] }, headers: crossOriginIsolation },
  preview: { host: '127.0.0.1', port: 4173, headers: crossOriginIsolation },
  // uPlot pre-bundled up front, so the first visit does not trigger a dependency re-optimization reload.
  optimizeDeps: { include: ['uplot'] },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024 },
});
