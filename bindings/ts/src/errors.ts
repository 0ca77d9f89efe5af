// errors.ts: the errors sllm throws. Every failure of the C++ core arrives as an SllmError
// subclass named after the core's ErrorCode, with the core's message (which says what went
// wrong and what to do). Cancellation through an AbortSignal throws AbortError.

/**
 * The category of an {@link SllmError}: the C++ core's ErrorCode names, plus `Disposed` for
 * use of an object after `dispose()`, `Load` for a module that could not be loaded, and the
 * model store's `Quota` (storage full), `NotFound` (no saved model of that name) and `Storage`
 * (another IndexedDB failure).
 */
export type SllmErrorCode =
  | 'InvalidArgument'
  | 'Config'
  | 'Tokenizer'
  | 'Data'
  | 'Format'
  | 'Training'
  | 'OutOfMemory'
  | 'Internal'
  | 'Disposed'
  | 'Load'
  | 'Quota'
  | 'NotFound'
  | 'Storage';

/** Base class of every error sllm throws (except {@link AbortError}). */
export class SllmError extends Error {
  /** The error's category. */
  readonly code: SllmErrorCode;

  /**
   * @param code - the category.
   * @param message - what went wrong and what to do about it.
   * @param options - `cause`, as for `Error`.
   */
  constructor(code: SllmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SllmError';
  }
}

/** A bad value passed by the caller: an option out of range, a token id outside the vocabulary. */
export class SllmInvalidArgumentError extends SllmError {
  /** @param message - what is wrong. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('InvalidArgument', message, options);
    this.name = 'SllmInvalidArgumentError';
  }
}

/** An inconsistent model or training configuration (e.g. dim not divisible by heads, unknown preset). */
export class SllmConfigError extends SllmError {
  /** @param message - which setting is wrong and why. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Config', message, options);
    this.name = 'SllmConfigError';
  }
}

/** Text the tokenizer cannot encode (e.g. a character outside a vocabulary without [UNK]). */
export class SllmTokenizerError extends SllmError {
  /** @param message - what could not be encoded. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Tokenizer', message, options);
    this.name = 'SllmTokenizerError';
  }
}

/** Training data that cannot be used (e.g. a corpus too small for the sequence length). */
export class SllmDataError extends SllmError {
  /** @param message - what is wrong with the data. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Data', message, options);
    this.name = 'SllmDataError';
  }
}

/** Bytes that are not a valid SLLM file (truncated, corrupt, unsupported version). */
export class SllmFormatError extends SllmError {
  /** @param message - the check the file failed. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Format', message, options);
    this.name = 'SllmFormatError';
  }
}

/**
 * A LoRA adapter file where a model was expected (`loadModel`): load the model it was made for,
 * then the adapter onto it (`model.loadAdapter(bytes)`). Its `code` is `'Format'`, like any
 * {@link SllmFormatError}.
 */
export class SllmAdapterFileError extends SllmFormatError {
  /** @param message - the adapter's rank and targets, and what to do. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SllmAdapterFileError';
  }
}

/** Training that failed (the loss diverged to NaN or infinity). */
export class SllmTrainingError extends SllmError {
  /** @param message - what happened and what to change. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Training', message, options);
    this.name = 'SllmTrainingError';
  }
}

/** WebAssembly memory ran out (4 GiB at most): use a smaller model, batch or sequence length. */
export class SllmOutOfMemoryError extends SllmError {
  /** @param message - what needed the memory. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('OutOfMemory', message, options);
    this.name = 'SllmOutOfMemoryError';
  }
}

/** A bug in sllm (an invariant failed, or the WebAssembly module trapped). Please report it. */
export class SllmInternalError extends SllmError {
  /** @param message - what failed. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Internal', message, options);
    this.name = 'SllmInternalError';
  }
}

/** An object (or its engine) was used after `dispose()`. */
export class SllmDisposedError extends SllmError {
  /** @param message - which object. */
  constructor(message: string) {
    super('Disposed', message);
    this.name = 'SllmDisposedError';
  }
}

/** The WebAssembly module could not be loaded (files not served, or no engine support). */
export class SllmLoadError extends SllmError {
  /** @param message - what failed to load and what to check. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Load', message, options);
    this.name = 'SllmLoadError';
  }
}

/** The browser's storage quota cannot hold what the model store was asked to save. */
export class SllmQuotaError extends SllmError {
  /** Bytes the operation needed. */
  readonly needed: number;
  /** Bytes the browser reported as still available to this site (quota − usage; NaN when it cannot tell). */
  readonly available: number;

  /**
   * @param message - what could not be saved, both sizes and what to do.
   * @param needed - bytes needed.
   * @param available - bytes available.
   */
  constructor(message: string, needed: number, available: number, options?: { cause?: unknown }) {
    super('Quota', message, options);
    this.name = 'SllmQuotaError';
    this.needed = needed;
    this.available = available;
  }
}

/** The model store has no saved model of the requested name. */
export class SllmNotFoundError extends SllmError {
  /** @param message - which name was not found. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('NotFound', message, options);
    this.name = 'SllmNotFoundError';
  }
}

/** IndexedDB failed for a reason other than quota (unavailable, blocked, the transaction aborted). */
export class SllmStorageError extends SllmError {
  /** @param message - what failed; `cause` is the DOMException. */
  constructor(message: string, options?: { cause?: unknown }) {
    super('Storage', message, options);
    this.name = 'SllmStorageError';
  }
}

/** An operation was cancelled through its AbortSignal. `cause` is the signal's reason. */
export class AbortError extends Error {
  /** @param message - what was cancelled. */
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

const byCode: Record<string, new (message: string) => SllmError> = {
  InvalidArgument: SllmInvalidArgumentError,
  Config: SllmConfigError,
  Tokenizer: SllmTokenizerError,
  Data: SllmDataError,
  Format: SllmFormatError,
  AdapterFile: SllmAdapterFileError,
  Training: SllmTrainingError,
  OutOfMemory: SllmOutOfMemoryError,
  Internal: SllmInternalError,
};

/** @internal The SllmError subclass for a core ErrorCode name. */
export function errorFromCode(code: string, message: string): SllmError {
  const Cls = byCode[code] ?? SllmInternalError;
  return new Cls(message);
}

/** The errors a Worker engine's worker can throw back, by their instances' `name`; made on first use. */
let byName: Map<string, new (message: string) => Error> | undefined;

/**
 * @internal An error of the sllm class whose instances are named `name` (e.g. `'SllmDataError'`):
 * the core's errors, SllmDisposedError, SllmLoadError and AbortError; undefined for other names.
 * Comlink sends a worker's error as its name and message.
 */
export function errorFromName(name: string, message: string): Error | undefined {
  byName ??= new Map(
    [...Object.values(byCode), SllmDisposedError, SllmLoadError, AbortError].map((Cls) => [new Cls('').name, Cls]),
  );
  const Cls = byName.get(name);
  return Cls && new Cls(message);
}

/** @internal Throws AbortError when signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortError(`${what} was aborted`, { cause: signal.reason });
}
