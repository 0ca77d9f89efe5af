// options.ts (internal): converts the public camelCase option objects to the core's
// snake_case JSON and back, checking names and value types so a typo or a NaN gets a clear
// error naming the option instead of being ignored or garbled by JSON. Names and kinds come
// from the core's option schemas (generated/options.ts); the core checks ranges.

import { SllmConfigError, SllmError, SllmInvalidArgumentError } from './errors.js';
import { generateOptionTable, modelOptionTable, trainOptionTable } from './generated/options.js';
import type { GenerateOptions, GenerateSettings, ModelConfig, PresetTraining, TrainConfig } from './types.js';

type Kind = 'int' | 'number' | 'boolean' | 'string';
type Table<T> = { [K in keyof T]-?: readonly [snake: string, kind: Kind] };

// The tables come from the core's option schemas (generated/options.ts); these checks make the
// compiler prove they cover exactly the public types' fields.
const modelTable: Table<ModelConfig> = modelOptionTable;
const trainTable: Table<TrainConfig> = trainOptionTable;
const generateTable: Table<GenerateSettings> = generateOptionTable;

function checkValue(name: string, kind: Kind, v: unknown, Err: new (m: string) => SllmError): unknown {
  const ok =
    kind === 'string'
      ? typeof v === 'string'
      : kind === 'boolean'
        ? typeof v === 'boolean'
        : typeof v === 'number' && Number.isFinite(v) && (kind === 'number' || Number.isInteger(v));
  if (!ok) {
    const want = kind === 'int' ? 'an integer' : kind === 'number' ? 'a finite number' : `a ${kind}`;
    throw new Err(`${name} must be ${want}, not ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
  }
  return v;
}

function toSnake<T extends object>(
  what: string,
  table: Table<T>,
  input: object | undefined,
  Err: new (m: string) => SllmError,
  skip: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (input === undefined || input === null) return out;
  if (typeof input !== 'object') throw new Err(`${what} must be an object`);
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || skip.includes(key)) continue;
    const entry = (table as Record<string, readonly [string, Kind]>)[key];
    if (!entry || !Object.prototype.hasOwnProperty.call(table, key))
      throw new Err(`unknown ${what} "${key}"; the options are ${Object.keys(table).join(', ')}`);
    out[entry[0]] = checkValue(key, entry[1], value, Err);
  }
  return out;
}

function fromSnake<T extends object>(table: Table<T>, json: Record<string, unknown>): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [camel, [snake, kind]] of Object.entries(table) as [string, readonly [string, Kind]][]) {
    if (!(snake in json)) continue;
    const v = json[snake];
    out[camel] = kind === 'int' && typeof v === 'string' ? Number(v) : v;  // u64 seeds are strings
  }
  return out as Partial<T>;
}

/** @internal */
export const modelConfigToJson = (c: Partial<ModelConfig> | undefined) =>
  JSON.stringify(toSnake('model config option', modelTable, c, SllmConfigError));
/** @internal */
export const modelConfigFromJson = (j: string) => fromSnake(modelTable, JSON.parse(j)) as ModelConfig;
/** @internal The trainer options minus its data (text, tokens). */
export const trainOptionsToJson = (o: object) =>
  JSON.stringify(toSnake('training option', trainTable, o, SllmConfigError, ['text', 'tokens']));
/** @internal */
export const trainConfigFromJson = (j: string | Record<string, unknown>) =>
  fromSnake(trainTable, typeof j === 'string' ? JSON.parse(j) : j) as TrainConfig;
/** @internal */
export const presetTrainingFromJson = (j: Record<string, unknown>) => fromSnake(trainTable, j) as PresetTraining;
/** @internal */
export const generateOptionsToJson = (o: GenerateOptions | undefined) =>
  JSON.stringify(toSnake('generation option', generateTable, o, SllmInvalidArgumentError, ['signal']));
