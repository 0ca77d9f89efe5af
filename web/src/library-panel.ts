// library-panel.ts: step 6, keeping models: save the current model (f32, f16, q8_0; with a LoRA
// adapter, base + adapter merged), a training checkpoint or the LoRA adapter alone to IndexedDB
// under a name (adapters: adapter-library.ts); list what is saved with size and date, and
// load (an adapter onto the current model), rename, delete or download each (as .sllm, or as .gguf
// for llama.cpp and Ollama); open files (library-open.ts); export the current model for Hugging
// Face; show storage use and ask for persistence.

import type { WeightDType } from 'sllm';
import { adapterKindText, applyAdapter, saveAdapterBytes } from './adapter-library.js';
import type { App } from './app.js';
import { byId, download, dropZone, formatBytes, formatInt, h } from './dom.js';
import { droppedFiles, saveFolder } from './hf-folder.js';
import { dtypeOf, ModelOpener } from './library-open.js';
import type { SavedModelInfo } from './platform.js';
import { announce, clearError, showError } from './status.js';

/** A file name for a saved model: its name without characters file systems refuse. */
const fileName = (name: string, ext = 'sllm') => `${name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim() || 'model'}.${ext}`;
const dateText = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export class LibraryPanel {
  #form = byId<HTMLFormElement>('save-form');
  #name = byId<HTMLInputElement>('save-name');
  #kind = byId<HTMLSelectElement>('save-kind');
  #saveBtn = byId<HTMLButtonElement>('save-button');
  #list = byId('saved-list');
  #fileInput = byId<HTMLInputElement>('model-file');
  #folderInput = byId<HTMLInputElement>('model-folder');
  #hfExport = byId<HTMLButtonElement>('hf-export');
  #saved: SavedModelInfo[] = [];
  #opener: ModelOpener;

  constructor(private readonly app: App) {
    this.#opener = new ModelOpener(app, { names: () => this.#saved.map((s) => s.name), refresh: () => this.refresh() });
    this.#form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#save();
    });
    for (const input of [this.#fileInput, this.#folderInput])
      input.addEventListener('change', () => {
        const files = Array.from(input.files ?? []);
        input.value = '';
        void this.#opener.openFiles(files);
      });
    dropZone(byId('model-dropzone'), (data) => void droppedFiles(data).then((files) => this.#opener.openFiles(files)));
    this.#hfExport.addEventListener('click', () => void this.#exportHf());
    byId('storage-persist').addEventListener('click', () => void this.#persist());
    app.addEventListener('change', () => this.#sync());
    if (!app.store) showError(new Error('IndexedDB is not available in this browser (private mode?)'), 'Opening the model store');
    void this.refresh();
  }

  #sync(): void {
    const a = this.app;
    const cur = a.current;
    const canCheckpoint = !!cur?.trainer && !cur.trainer.disposed;
    const cp = this.#kind.querySelector<HTMLOptionElement>('option[value="checkpoint"]')!;
    cp.disabled = !canCheckpoint;
    if (!canCheckpoint && this.#kind.value === 'checkpoint') this.#kind.value = 'f32';
    const adapter = this.#kind.querySelector<HTMLOptionElement>('option[value="adapter"]')!;
    adapter.disabled = !cur?.adapter;
    if (!cur?.adapter && this.#kind.value === 'adapter') this.#kind.value = 'f32';
    this.#saveBtn.disabled = !a.store || !a.modelQuiet;
    this.#fileInput.disabled = this.#folderInput.disabled = !a.idle;
    this.#hfExport.disabled = !cur || !a.modelQuiet;
    for (const b of this.#list.querySelectorAll<HTMLButtonElement>('button[data-needs-idle]')) b.disabled = !a.idle;
  }

  /** Re-reads the saved list and the storage estimate. */
  async refresh(): Promise<void> {
    const store = this.app.store;
    if (!store) return;
    try {
      this.#saved = (await store.list()).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
      this.#render();
      const { usage, quota } = await store.estimate();
      const persisted = (await navigator.storage?.persisted?.()) ?? false;
      byId('storage-text').textContent =
        `Storage: ${formatBytes(usage)} used, ${formatBytes(Math.max(0, quota - usage))} available` +
        (persisted ? ' (persistent: the browser will not evict it)' : '.');
      byId('storage-persist').hidden = persisted;
    } catch (e) {
      showError(e, 'Reading the saved models');
    }
  }

  #render(): void {
    this.#list.replaceChildren(...this.#saved.map((info) => this.#row(info)));
    byId('saved-empty').hidden = this.#saved.length > 0;
    byId('saved-table').hidden = this.#saved.length === 0;
    this.#sync();
  }

  #row(info: SavedModelInfo): HTMLTableRowElement {
    const kind = adapterKindText(info) ?? (info.kind === 'checkpoint' ? `checkpoint, step ${formatInt(info.step ?? 0)}` : `model, ${info.dtype}`);
    const act = (label: string, what: string, f: () => Promise<void>, needsIdle = true) => {
      const b = h('button', { type: 'button', className: 'small', 'aria-label': `${label} ${info.name}` }, label);
      if (needsIdle) b.dataset.needsIdle = '';
      b.dataset.action = what;
      b.addEventListener('click', () => void f());
      return b;
    };
    let armed = false;
    const del = act('Delete', 'delete', async () => {
      if (!armed) {
        armed = true;
        del.textContent = 'Really delete?';
        setTimeout(() => ((armed = false), (del.textContent = 'Delete')), 5000);
        return;
      }
      await this.#delete(info.name);
    });
    const nameCell = h('td', { className: 'name' }, info.name);
    const gguf = act('GGUF', 'download-gguf', () => this.#downloadGguf(info), true);
    gguf.title = 'Download as .gguf, for llama.cpp, Ollama or LM Studio';
    gguf.setAttribute('aria-label', `Download ${info.name} as GGUF, for llama.cpp`);
    const rename = act('Rename', 'rename', async () => this.#startRename(nameCell, info.name));
    return h('tr', { 'data-name': info.name },
      nameCell,
      h('td', {}, kind),
      h('td', {}, formatBytes(info.bytes)),
      h('td', {}, dateText(info.savedAt)),
      h('td', { className: 'actions' },
        act('Load', 'load', () => this.#load(info.name)), rename,
        act('Download', 'download', () => this.#download(info.name), false),
        ...(info.adapter ? [] : [gguf]), del));
  }

  async #save(): Promise<void> {
    const { store, current } = this.app;
    const name = this.#name.value.trim();
    if (!store || !current || !this.app.modelQuiet) return;
    if (!name) {
      showError(new Error('give the model a name'), 'Saving');
      this.#name.focus();
      return;
    }
    clearError();
    const kind = this.#kind.value;
    const corpus = this.app.corpus;
    const metadata: Record<string, string> = {
      name,
      created: new Date().toISOString(),
      ...(current.model.preset ? { preset: current.model.preset } : {}),
      ...(corpus ? { corpus: corpus.key, corpusLabel: corpus.label } : {}),
      ...(this.app.chatTemplate ? { chat_template: this.app.chatTemplate } : {}),
    };
    this.app.setBusy('saving');
    try {
      const replacing = this.#saved.some((s) => s.name === name);
      const bytes =
        kind === 'checkpoint'
          ? await current.trainer!.saveCheckpoint({ metadata })
          : kind === 'adapter'
            ? await saveAdapterBytes(this.app, metadata)
            : await current.model.save({ dtype: kind as WeightDType, metadata });
      const info = await store.save(name, bytes, { metadata });
      if (kind !== 'adapter') current.name = name;
      // A model carrying an adapter saves as base + adapter merged (the page keeps the adapter).
      const merged = current.adapter?.enabled && kind !== 'adapter' && kind !== 'checkpoint' ? ', base + LoRA adapter merged' : '';
      announce(`${replacing ? 'Replaced' : 'Saved'} "${name}" (${formatBytes(info.bytes)}${merged}).`);
    } catch (e) {
      showError(e, `Saving "${name}"`);
    } finally {
      this.app.setBusy(undefined);
      await this.refresh();
    }
  }

  async #load(name: string): Promise<void> {
    const store = this.app.store;
    if (!store || !this.app.idle) return;
    clearError();
    this.app.setBusy('loading');
    try {
      const bytes = await store.load(name);
      const info = this.#saved.find((s) => s.name === name);
      if (info?.adapter) await applyAdapter(this.app, bytes, name);
      else {
        this.#opener.use(await this.app.engine.loadModel(bytes), name);
      }
    } catch (e) {
      showError(e, `Loading "${name}"`);
      await this.refresh();
    } finally {
      this.app.setBusy(undefined);
    }
  }

  #startRename(cell: HTMLElement, from: string): void {
    const input = h('input', { type: 'text', value: from, 'aria-label': `New name for ${from}`, maxLength: 100 });
    const finish = async (ok: boolean) => {
      const to = input.value.trim();
      if (!ok || !to || to === from) return this.#render();
      if (this.#saved.some((s) => s.name === to)) {
        showError(new Error(`a model named "${to}" is already saved; pick another name`), 'Renaming');
        return input.focus();
      }
      try {
        await this.app.store!.rename(from, to);
        if (this.app.current?.name === from) this.app.current.name = to;
        announce(`Renamed "${from}" to "${to}".`);
      } catch (e) {
        showError(e, `Renaming "${from}"`);
      }
      await this.refresh();
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void finish(true);
      if (e.key === 'Escape') void finish(false);
    });
    const ok = h('button', { type: 'button', className: 'small' }, 'OK');
    ok.addEventListener('click', () => void finish(true));
    cell.replaceChildren(input, ok);
    input.select();
    input.focus();
  }

  async #delete(name: string): Promise<void> {
    try {
      await this.app.store!.delete(name);
      announce(`Deleted "${name}".`);
    } catch (e) {
      showError(e, `Deleting "${name}"`);
    }
    await this.refresh();
    byId('save-name').focus();
  }

  async #download(name: string): Promise<void> {
    try {
      download(await this.app.store!.exportBlob(name), fileName(name));
      announce(`Downloading ${fileName(name)}.`);
    } catch (e) {
      showError(e, `Downloading "${name}"`);
      await this.refresh();
    }
  }

  /** A saved model as a GGUF file (its dtype; a checkpoint's model in f32), for llama.cpp or Ollama. */
  async #downloadGguf(info: SavedModelInfo): Promise<void> {
    const store = this.app.store;
    if (!store || !this.app.idle) return;
    clearError();
    this.app.setBusy('converting to GGUF');
    try {
      const { model, tokenizer } = await this.app.engine.loadModel(await store.load(info.name));
      try {
        const dtype = info.kind === 'checkpoint' ? 'f32' : dtypeOf(info.dtype);
        const bytes = await model.toGguf({ dtype, metadata: { name: info.name } });
        download(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), fileName(info.name, 'gguf'));
        announce(`Downloading ${fileName(info.name, 'gguf')} (${formatBytes(bytes.length)}, for llama.cpp, Ollama or LM Studio).`);
      } finally {
        model.dispose();
        tokenizer.dispose();
      }
    } catch (e) {
      showError(e, `Converting "${info.name}" to GGUF`);
    } finally {
      this.app.setBusy(undefined);
    }
  }

  async #exportHf(): Promise<void> {
    const cur = this.app.current;
    if (!cur || !this.app.modelQuiet) return;
    clearError();
    this.app.setBusy('exporting');
    try {
      const files = await cur.model.toHuggingFace({ metadata: cur.name ? { name: cur.name } : {} });
      const how = await saveFolder(files);
      if (how !== 'cancelled')
        announce(how === 'folder' ? 'Wrote the Hugging Face files into the folder.' : `Downloading ${Object.keys(files).length} Hugging Face files.`);
    } catch (e) {
      showError(e, 'Exporting for Hugging Face');
    } finally {
      this.app.setBusy(undefined);
    }
  }

  async #persist(): Promise<void> {
    try {
      const ok = await this.app.store!.persist();
      const msg = ok
        ? 'Storage is now persistent.'
        : 'The browser said no for now (it often agrees once the site is bookmarked or used more); saved models stay unless space runs low.';
      byId('storage-persist-result').textContent = msg;
      announce(msg);
    } catch (e) {
      showError(e, 'Asking for persistent storage');
    }
    await this.refresh();
  }
}
