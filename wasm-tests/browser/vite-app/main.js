// main.js of the test app: the sllm package from npm (the packed tarball), bundled by Vite, and
// the test functions every Chromium test page uses (lib.js, copied in by pack.test.ts).
import * as sllm from 'sllm';
import * as lib from './lib.js';

Object.assign(window, { sllm, lib, sllmReady: true });
