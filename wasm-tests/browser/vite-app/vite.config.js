// vite.config.js of the test app: nothing but the two headers that make the dev server's pages
// cross-origin isolated, so sllm's Worker engine may run its threads build (docs/package.md).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};
export default { server: { headers: isolation }, preview: { headers: isolation } };
