// csp.js: the package, unbundled from dist/, on a page whose Content-Security-Policy allows no
// eval and no inline script (csp.html; the policy comes from the test server's header).
import * as sllm from '/dist/index.js';
import * as lib from './lib.js';

// Proof that the policy is in force: this page itself cannot eval.
let evalBlocked = false;
try {
  (0, eval)('1');
} catch {
  evalBlocked = true;
}
Object.assign(window, { sllm, lib, evalBlocked, sllmReady: true });
