// worker-handles.ts (internal): the Worker engine's Tokenizer, Model and Trainer: thin proxies
// (an id in the worker and the object's immutable facts) whose methods are calls to the
// worker. model.stream() pulls one time slice of pieces per next(), trainer.run() one step;
// pause(), resume() and stop() are messages the worker reads between steps. The trainer's
// state is kept here from what the worker reports with each answer.

import { joinPieces } from './engine-common.js';
import { SllmInvalidArgumentError } from './errors.js';
import { Handle, pull, type Connection } from './worker-connection.js';
import type { ModelFacts, TokenizerFacts, TrainerFacts } from './worker-protocol.js';
import type {
  AdapterInfo,
  AdapterSaveOptions,
  LoadedAdapterInfo,
  TrainerMemory,
  CheckpointInfo,
  CheckpointSaveOptions,
  EncodeOptions,
  EvalResult,
  GenerateOptions,
  HuggingFaceExportOptions,
  HuggingFaceFiles,
  Model,
  ModelConfig,
  KVCacheDType,
  ModelMemory,
  RunOptions,
  SaveOptions,
  SpecialTokenIds,
  Tokenizer,
  TokenizerJSON,
  TokenizerType,
  TrainConfig,
  Trainer,
  TrainerState,
  TrainingProgress,
} from './types.js';

export class WorkerTokenizer extends Handle implements Tokenizer {
  readonly type: TokenizerType;
  readonly vocabSize: number;
  readonly specialTokens: SpecialTokenIds;

  constructor(conn: Connection, id: number, facts: TokenizerFacts) {
    super(conn, id, 'tokenizer');
    this.type = facts.type;
    this.vocabSize = facts.vocabSize;
    this.specialTokens = Object.freeze(facts.specialTokens);
  }

  encode(text: string, options?: EncodeOptions): Promise<Int32Array> {
    return this.call((r) => r.encode(this.id, text, options));
  }

  decode(ids: ArrayLike<number>): Promise<string> {
    return this.call((r) => r.decode(this.id, ids));
  }

  idToToken(id: number): Promise<string> {
    return this.call((r) => r.idToToken(this.id, id));
  }

  tokenToId(token: string): Promise<number | undefined> {
    return this.call((r) => r.tokenToId(this.id, token));
  }

  serialize(): Promise<TokenizerJSON> {
    return this.call((r) => r.serialize(this.id));
  }
}

export class WorkerModel extends Handle implements Model {
  readonly config: Readonly<ModelConfig>;
  readonly parameterCount: number;
  readonly preset: string | undefined;
  readonly tokenizer: WorkerTokenizer;
  readonly metadata: Readonly<Record<string, string>>;
  readonly checkpoint: CheckpointInfo | undefined;
  readonly chatTemplate: string | undefined;

  constructor(conn: Connection, id: number, facts: ModelFacts, tokenizer: WorkerTokenizer) {
    super(conn, id, 'model');
    this.tokenizer = tokenizer;
    this.config = Object.freeze(facts.config);
    this.parameterCount = facts.parameterCount;
    this.preset = facts.preset;
    this.metadata = Object.freeze(facts.metadata);
    const cp = facts.checkpoint;
    this.checkpoint = cp && Object.freeze({ ...cp, config: Object.freeze(cp.config) });
    this.chatTemplate = facts.chatTemplate;
  }

  async generate(prompt: string, options: GenerateOptions = {}): Promise<string> {
    return joinPieces(this.stream(prompt, options));
  }

  stream(prompt: string, options: GenerateOptions = {}): AsyncIterableIterator<string> {
    const { signal, ...rest } = options ?? {};
    return pull<string>(
      this,
      'generation',
      signal,
      (opId) => this.conn.remote.startStream(opId, this.id, prompt, rest),
      async (opId) => {
        const r = await this.conn.remote.pullStream(opId);
        return { done: r.done, items: r.pieces };
      },
      true,
    );
  }

  save(options?: SaveOptions): Promise<Uint8Array> {
    return this.call((r) => r.save(this.id, options));
  }

  memory(options?: { kvCache?: KVCacheDType }): Promise<ModelMemory> {
    return this.call((r) => r.memory(this.id, options));
  }

  toGguf(options?: SaveOptions): Promise<Uint8Array> {
    return this.call((r) => r.toGguf(this.id, options));
  }

  toHuggingFace(options?: HuggingFaceExportOptions): Promise<HuggingFaceFiles> {
    return this.call((r) => r.toHuggingFace(this.id, options));
  }

  adapterInfo(): Promise<AdapterInfo | undefined> {
    return this.call((r) => r.adapterInfo(this.id));
  }

  loadAdapter(bytes: Uint8Array): Promise<LoadedAdapterInfo> {
    if (!(bytes instanceof Uint8Array)) throw new SllmInvalidArgumentError('loadAdapter needs the file as a Uint8Array');
    return this.call((r) => r.loadAdapter(this.id, bytes));
  }

  saveAdapter(options?: AdapterSaveOptions): Promise<Uint8Array> {
    return this.call((r) => r.saveAdapter(this.id, options));
  }

  mergeAdapter(): Promise<void> {
    return this.call((r) => r.mergeAdapter(this.id));
  }

  removeAdapter(): Promise<void> {
    return this.call((r) => r.removeAdapter(this.id));
  }

  setAdapterEnabled(enabled: boolean): Promise<void> {
    return this.call((r) => r.setAdapterEnabled(this.id, enabled));
  }
}

export class WorkerTrainer extends Handle implements Trainer {
  readonly model: WorkerModel;
  readonly config: Readonly<TrainConfig>;
  readonly trainTokens: number;
  readonly valTokens: number;
  #done: boolean;
  #paused = false;
  #running = false;

  constructor(conn: Connection, id: number, facts: TrainerFacts, model: WorkerModel) {
    super(conn, id, 'trainer');
    this.model = model;
    this.config = Object.freeze(facts.config);
    this.trainTokens = facts.trainTokens;
    this.valTokens = facts.valTokens;
    this.#done = facts.state === 'done';
  }

  get state(): TrainerState {
    if (this.#done) return 'done';
    if (this.#paused) return 'paused';
    return this.#running ? 'running' : 'idle';
  }

  #update(state: TrainerState): void {
    this.#done = state === 'done';
  }

  pause(): void {
    this.#paused = true;
    this.conn.send((r) => r.pause(this.id));
  }

  resume(): void {
    this.#paused = false;
    this.conn.send((r) => r.resume(this.id));
  }

  stop(): void {
    if (!this.#running) return;
    this.#paused = false;
    this.conn.send((r) => r.stop(this.id));
  }

  run(options: RunOptions = {}): AsyncIterableIterator<TrainingProgress> {
    return this.#run(options);
  }

  async *#run(options: RunOptions): AsyncGenerator<TrainingProgress, void, undefined> {
    this.check();
    if (this.#running)
      throw new SllmInvalidArgumentError(
        'this trainer is already running; finish or stop() the current run() before starting another',
      );
    this.#running = true;
    try {
      yield* pull<TrainingProgress>(
        this,
        'training',
        options?.signal,
        (opId) => this.conn.remote.startRun(opId, this.id),
        async (opId) => {
          const r = await this.conn.remote.pullRun(opId);
          this.#update(r.state);
          return { done: r.done, items: r.value ? [r.value] : [] };
        },
        false,
      );
    } finally {
      this.#running = false;
    }
  }

  async step(): Promise<TrainingProgress> {
    if (this.#running)
      throw new SllmInvalidArgumentError('this trainer is inside run(); stop() it before calling step() directly');
    const { progress, state } = await this.call((r) => r.step(this.id));
    this.#update(state);
    return progress;
  }

  async evaluate(): Promise<EvalResult> {
    const { result, state } = await this.call((r) => r.evaluate(this.id));
    this.#update(state);
    return result;
  }

  saveCheckpoint(options?: CheckpointSaveOptions): Promise<Uint8Array> {
    return this.call((r) => r.saveCheckpoint(this.id, options));
  }

  memory(): Promise<TrainerMemory> {
    return this.call((r) => r.trainerMemory(this.id));
  }
}
