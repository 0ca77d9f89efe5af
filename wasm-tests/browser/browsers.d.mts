// Types of browsers.mjs (the browser launcher both browser suites use).
export type BrowserName = 'chromium' | 'firefox';
export const BROWSERS: BrowserName[];

export interface LaunchedBrowser {
  name: BrowserName;
  userDataDir: string;
  /** playwright's BrowserContext (chromium) or puppeteer's Browser (firefox). */
  raw: unknown;
  newPage(): Promise<BrowserPage>;
  close(options?: { keepProfile?: boolean }): Promise<void>;
}

export function launchBrowser(
  name: BrowserName,
  options?: { userDataDir?: string; viewport?: { width: number; height: number }; args?: string[] },
): Promise<LaunchedBrowser>;

type PageFn<A, R> = (arg: A) => R | Promise<R>;

export class BrowserPage {
  readonly browser: BrowserName;
  /** playwright's or puppeteer's Page. */
  readonly raw: any;
  onConsole(f: (type: string, text: string) => void): void;
  onPageError(f: (message: string, stack: string) => void): void;
  onRequest(f: (url: string) => void): void;
  onRequestFailed(f: (url: string, why: string) => void): void;
  onResponse(f: (status: number, url: string) => void): void;
  onWorker(f: (url: string, onClose: (cb: () => void) => void) => void): void;
  goto(url: string): Promise<unknown>;
  reload(): Promise<unknown>;
  evaluate<R, A = undefined>(fn: PageFn<A, R>, arg?: A): Promise<R>;
  waitFor<A = undefined>(fn: PageFn<A, unknown>, arg?: A, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  initScript(fn: () => void): Promise<unknown>;
  exposeFunction(name: string, fn: (...args: any[]) => unknown): Promise<void>;
  addScriptTag(options: { url?: string; content?: string; type?: string }): Promise<unknown>;
  wait(ms: number): Promise<void>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  isClosed(): boolean;
  close(): Promise<void>;
}
