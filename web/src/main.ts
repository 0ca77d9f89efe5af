// main.ts: the demo page's entry point. Loads the engine and opens the model store (through
// platform.ts), reads the package's presets and default training settings, then wires up the
// six panels. Any failure here still leaves a page that says what went wrong.

import type { Engine, TrainConfig } from 'sllm';
import './style.css';
import { App } from './app.js';
import { generateStories } from './corpus/stories.js';
import { byId } from './dom.js';
import { LibraryPanel } from './library-panel.js';
import { createAppEngine, openModelStore, type ModelStore } from './platform.js';
import { SettingsPanel } from './settings-panel.js';
import { announce, backendText, showError, startEngineStatus } from './status.js';
import { TalkPanel } from './talk-panel.js';
import { ChatPanel } from './chat-panel.js';
import { TextPanel } from './text-panel.js';
import { TrainPanel } from './train-panel.js';
import { FinetunePanel } from './finetune-panel.js';

/** The package's resolved training settings for a tiny model: the defaults the presets do not set. */
async function trainingDefaults(engine: Engine): Promise<TrainConfig> {
  const text = generateStories({ chars: 20_000, seed: 1 });
  const tokenizer = await engine.createTokenizer({ type: 'char', text });
  const model = await engine.createModel({ tokenizer, preset: 'tiny' });
  const trainer = await engine.createTrainer(model, { text });
  const config = { ...trainer.config };
  trainer.dispose();
  model.dispose();
  tokenizer.dispose();
  return config;
}

async function start(): Promise<void> {
  let engine: Engine;
  try {
    engine = await createAppEngine();
  } catch (e) {
    byId('status-backend').textContent = 'failed to load';
    showError(e, 'Starting the engine');
    return;
  }
  startEngineStatus(engine);
  let store: ModelStore | undefined;
  try {
    store = await openModelStore();
  } catch (e) {
    console.info('[sllm demo] no model store:', e);
  }
  const app = new App(engine, store);
  const [presets, base] = await Promise.all([engine.listPresets(), trainingDefaults(engine)]);
  const text = new TextPanel(app);
  const settings = new SettingsPanel(app, presets, base);
  const train = new TrainPanel(app, settings, text);
  const finetune = new FinetunePanel(app, settings, train);
  const talk = new TalkPanel(app);
  const chat = new ChatPanel(app);
  const library = new LibraryPanel(app);
  // A file dropped beside a drop zone must not replace the page (and a running training).
  for (const type of ['dragover', 'drop']) window.addEventListener(type, (e) => e.preventDefault());
  window.addEventListener('beforeunload', (e) => {
    if (app.activity !== 'idle') e.preventDefault(); // the browser asks before leaving a running training
  });
  document.body.dataset.ready = 'true';
  announce(`Ready: the engine is loaded (${backendText(engine)}).`);
  // For the end-to-end test and for poking around in the console.
  Object.assign(window, { sllmDemo: { app, text, settings, train, finetune, talk, chat, library } });
}

void start().catch((e: unknown) => showError(e, 'Starting the page'));
