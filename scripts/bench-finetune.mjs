#!/usr/bin/env node
// bench-finetune.mjs: fine-tuning quality (issue 15 point 2), natively: writes the demo's
// built-in stories (web/src/corpus/stories.ts, compiled by tsc) to bench/out/finetune/, then runs
// bench/finetune.cpp: a `small` model pretrained on them, fine-tuned on
// ../shared/data/tinyshakespeare.txt for the same number of steps by full fine-tuning, LoRA
// (rank 8, every linear layer) and LoRA on the q4_0 base; it prints the validation losses and,
// as the last line, one JSON object.
// Options: --no-build, --pretrain N, --steps N, --threads N (passed on).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { option, root, run } from './bench-util.mjs';

const args = process.argv.slice(2);
const outDir = join(root, 'bench/out/finetune');
const shakespeare = join(root, '../shared/data/tinyshakespeare.txt');
if (!existsSync(shakespeare)) throw new Error(`${shakespeare} is missing: the benchmark needs tinyshakespeare`);
if (!args.includes('--no-build')) {
  console.error('building the native benchmark ...');
  run('scripts/build-native.sh', [], { quiet: true });
}
mkdirSync(join(outDir, 'corpus'), { recursive: true });
run('node_modules/.bin/tsc', ['web/src/corpus/stories.ts', '--outDir', join(outDir, 'corpus'), '--module', 'es2022',
  '--target', 'es2022', '--moduleResolution', 'bundler', '--skipLibCheck'], { quiet: true });
writeFileSync(join(outDir, 'corpus/package.json'), '{"type": "module"}\n');
const { generateStories } = await import(pathToFileURL(join(outDir, 'corpus/stories.js')).href);
const stories = join(outDir, 'stories.txt');
writeFileSync(stories, generateStories({ chars: 1_000_000, seed: 1 }));

const pass = [];
for (const flag of ['--pretrain', '--steps', '--threads']) {
  const v = option(args, flag, undefined);
  if (v !== undefined) pass.push(flag, v);
}
const out = run(join(process.env.SLLM_NATIVE_BUILD_DIR ?? join(root, 'build/native'), 'bench/bench_finetune'),
  [stories, shakespeare, ...pass]);
process.stdout.write(out);
