// library-open.ts: step 6's ways in: opening a .sllm or .gguf file, a LoRA adapter (onto the
// current model, adapter-library.ts) or a Hugging Face model's files or folder. The engine
// checks each first, so only what it accepts becomes the current model and is added to the
// saved list (GGUF and Hugging Face models are stored as SLLM).

import { SllmAdapterFileError, type LoadedModel, type WeightDType } from 'sllm';
import { applyAdapter } from './adapter-library.js';
import type { App } from './app.js';
import { formatBytes, formatCount, formatInt } from './dom.js';
import { folderName, readFolder } from './hf-folder.js';
import { announce, clearError, setModelStatus, showError } from './status.js';

/** The SLLM dtype closest to a GGUF file's matrices (bf16 has none: f32 keeps it exactly). */
export const dtypeOf = (fileType: unknown): WeightDType =>
  fileType === 'f16' || fileType === 'q8_0' || fileType === 'q4_0' ? fileType : 'f32';

/** What the opener needs of the saved list. */
export interface SavedList {
  /** The names saved now. */
  names(): string[];
  /** Re-reads the list (after something was stored). */
  refresh(): Promise<void>;
}

export class ModelOpener {
  constructor(
    private readonly app: App,
    private readonly library: SavedList,
  ) {}

  /** Makes a loaded model the current one and says what it is. */
  use(loaded: LoadedModel, name: string, fileBytes?: number): void {
    this.app.setCurrent({ model: loaded.model, name, resumable: loaded.isCheckpoint });
    const m = loaded.model;
    const gguf = loaded.header.format === 'gguf';
    const what = loaded.isCheckpoint
      ? `checkpoint at step ${formatInt(loaded.checkpoint?.step ?? 0)}`
      : gguf
        ? `GGUF model (llama.cpp architecture ${String(loaded.header.architecture)}, ${String(loaded.header.file_type ?? 'f32')})`
        : 'model';
    const size = fileBytes !== undefined ? `, ${formatBytes(fileBytes)}` : '';
    setModelStatus(`"${name}": ${what}${size}, ${m.config.arch} architecture, ${formatCount(m.parameterCount)} parameters, ${m.tokenizer.type} tokens (${m.config.vocabSize})`, m);
    announce(`Loaded "${name}" (${what}).${loaded.isCheckpoint ? ' Resume its training in step 3, or talk to it.' : ' Talk to it in step 4.'}`);
  }

  /** One .sllm file opens as such; several files (or a folder's) import as a Hugging Face model. */
  async openFiles(files: File[]): Promise<void> {
    if (files.length === 1 && !files[0].name.endsWith('.json')) return this.#open(files[0]);
    if (files.length > 0) return this.#importHf(files);
  }

  /** Imports a Hugging Face folder; only a model the engine accepts is stored (as SLLM) and listed. */
  async #importHf(files: File[]): Promise<void> {
    if (!this.app.idle) return;
    clearError();
    this.app.setBusy('importing a Hugging Face model');
    const what = `Importing the Hugging Face folder${folderName(files) ? ` "${folderName(files)}"` : ''}`;
    try {
      // A long context only costs memory here: the demo generates a few hundred tokens.
      const loaded = await this.app.engine.importHuggingFace(await readFolder(files), { maxContext: 4096 });
      const name = this.#freeName((folderName(files) ?? loaded.metadata.name?.split('/').pop()) || 'Hugging Face model');
      this.use(loaded, name);
      if (this.app.store) {
        try {
          const metadata = { name, created: new Date().toISOString(), source: 'Hugging Face' };
          await this.app.store.save(name, await loaded.model.save({ metadata }), { metadata });
        } catch (e) {
          showError(e, `Imported "${name}", but storing it`);
        }
      }
    } catch (e) {
      showError(e, what);
    } finally {
      this.app.setBusy(undefined);
      await this.library.refresh();
    }
  }

  /** Checks and loads a .sllm or .gguf file first; only a file the engine accepts is added to the list. */
  async #open(f: File): Promise<void> {
    if (!this.app.idle) return;
    clearError();
    this.app.setBusy('opening a file');
    try {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const loaded = await this.app.engine.loadModel(bytes).catch(async (e: unknown) => {
        // A LoRA adapter goes onto the current model, and into the list once it fits.
        if (!(e instanceof SllmAdapterFileError)) throw e;
        await applyAdapter(this.app, bytes, f.name);
        if (this.app.store) await this.app.store.importBlob(f, this.#freeName(f.name.replace(/\.sllm$/i, '') || 'adapter'));
        return undefined;
      });
      if (!loaded) return;
      const gguf = loaded.header.format === 'gguf';
      const name = this.#freeName(f.name.replace(/\.(sllm|gguf)$/i, '') || 'uploaded');
      this.use(loaded, name, f.size);
      if (this.app.store) {
        try {
          // The store keeps SLLM files: a GGUF model is saved as one, in the dtype of its matrices.
          if (gguf) {
            const metadata = { ...loaded.metadata, name, source: f.name };
            await this.app.store.save(name, await loaded.model.save({ dtype: dtypeOf(loaded.header.file_type), metadata }), { metadata });
          } else {
            await this.app.store.importBlob(f, name);
          }
        } catch (e) {
          showError(e, `Loaded "${name}", but storing it`);
        }
      }
    } catch (e) {
      showError(e, `Opening ${f.name}`);
    } finally {
      this.app.setBusy(undefined);
      await this.library.refresh();
    }
  }

  /** `base`, or `base (2)`, `base (3)`, ... : the first name nothing is saved under. */
  #freeName(base: string): string {
    let name = base;
    for (let i = 2; this.library.names().includes(name); i++) name = `${base} (${i})`;
    return name;
  }

}
