// disposable.ts: types of Symbol.dispose for TypeScript setups without the esnext.disposable
// library (the same declarations @types/node ships), and the runtime symbol: the engine's own
// Symbol.dispose where it has one, else a registered stand-in.

declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}

/** @internal Symbol.dispose, or Symbol.for('Symbol.dispose') on engines without it. */
export const disposeSymbol: typeof Symbol.dispose =
  (Symbol as { dispose?: typeof Symbol.dispose }).dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);
