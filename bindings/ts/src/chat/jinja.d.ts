// jinja.d.ts: the part of @huggingface/jinja's API the package uses. Its own .d.ts files import
// each other without file extensions, which TypeScript's NodeNext resolution (this package's)
// rejects; bindings/ts/tsconfig.json maps the module name here instead. The JavaScript that
// runs is the package's own.
export declare class Template {
  constructor(template: string);
  render(items?: Record<string, unknown>): string;
}
