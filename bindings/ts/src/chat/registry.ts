// chat/registry.ts: how the chat API names models. An engine keeps a table of ids the app
// registered (engine.registerModel(id, model, { chatTemplate })); a request's `model` is one
// of those ids, or a Model object of the engine, or absent when exactly one model is
// registered. Unknown ids and disposed models give SllmRequestError 'model_not_found'.

import { SllmRequestError } from './errors.js';
import type { Model, ModelSelector, RegisterModelOptions } from '../types.js';

/** The model a request runs on, the name its responses carry and the template it uses. */
export interface ChatTarget<M extends Model> {
  model: M;
  name: string;
  /** The registered template, else the model's own; undefined: the default. */
  chatTemplate: string | undefined;
}

interface Entry<M> {
  model: M;
  chatTemplate: string | undefined;
}

export class ModelRegistry<M extends Model> {
  readonly #entries = new Map<string, Entry<M>>();
  /** Checks that a Model is one of the engine's (throws SllmInvalidArgumentError otherwise). */
  readonly #own: (model: Model, what: string) => M;

  constructor(own: (model: Model, what: string) => M) {
    this.#own = own;
  }

  register(id: string, model: Model, options: RegisterModelOptions = {}): void {
    if (typeof id !== 'string' || id === '')
      throw new SllmRequestError('invalid_value', 'id', 'registerModel needs a non-empty string id');
    const m = this.#own(model, 'registerModel');
    const t = options?.chatTemplate;
    if (t !== undefined && (typeof t !== 'string' || t === ''))
      throw new SllmRequestError('invalid_value', 'chatTemplate', 'chatTemplate must be a non-empty string (a Jinja template)');
    this.#entries.set(id, { model: m, chatTemplate: t });
  }

  unregister(id: string): boolean {
    return this.#entries.delete(id);
  }

  ids(): string[] {
    return [...this.#entries.keys()];
  }

  #list(): string {
    const ids = this.ids();
    return ids.length ? `registered models: ${ids.map((i) => JSON.stringify(i)).join(', ')}` : 'no model is registered';
  }

  /** The target of resetChat(model) or of WebLLM's resetChat(keepStats, modelId). */
  resolveReset(model: ModelSelector | boolean | undefined, modelId: string | undefined): ChatTarget<M> {
    return this.resolve(typeof model === 'boolean' ? modelId : model);
  }

  /** The target of a request's `model` field. */
  resolve(selector: ModelSelector | null | undefined): ChatTarget<M> {
    let target: ChatTarget<M>;
    if (selector === undefined || selector === null) {
      const ids = this.ids();
      if (ids.length !== 1)
        throw new SllmRequestError('model_not_found', 'model', ids.length === 0
          ? 'the request names no model and no model is registered: pass model (a Model object) or register one with engine.registerModel(id, model)'
          : `the request names no model and several are registered (${this.#list()}); say which with model`);
      target = this.#target(ids[0]!);
    } else if (typeof selector === 'string') {
      if (!this.#entries.has(selector))
        throw new SllmRequestError('model_not_found', 'model',
          `the model ${JSON.stringify(selector)} is not registered (${this.#list()}); register it with engine.registerModel(id, model)`);
      target = this.#target(selector);
    } else {
      let m: M;
      try {
        m = this.#own(selector, 'the request');
      } catch (e) {
        throw new SllmRequestError('model_not_found', 'model',
          `model must be a registered id or a Model of this engine (${(e as Error).message})`, { cause: e });
      }
      const id = [...this.#entries].find(([, e]) => e.model === m)?.[0];
      target = id !== undefined ? this.#target(id) : { model: m, name: m.metadata.name || 'sllm', chatTemplate: m.chatTemplate };
    }
    if (target.model.disposed)
      throw new SllmRequestError('model_not_found', 'model',
        `the model ${JSON.stringify(target.name)} has been disposed; register or pass a live model`);
    return target;
  }

  #target(id: string): ChatTarget<M> {
    const e = this.#entries.get(id)!;
    return { model: e.model, name: id, chatTemplate: e.chatTemplate ?? e.model.chatTemplate };
  }
}
