// gen-tokenizer-cases.mjs: writes native-tests/data/tokenizer_cases.json, the table of
// adversarial strings every tokenizer test (native Catch2 now, Vitest later) runs through.
// Each case has a name, the text, the GPT-2 pre-tokenizer `pieces` (gpt-tokenizer's r50k split
// regex) and the expected GPT-2 `gpt2` ids from gpt-tokenizer's r50k_base encoding, checked
// against js-tiktoken's "gpt2". Cases with "allow_special": true are encoded with special
// tokens recognized; their ids come from js-tiktoken, because gpt-tokenizer 4.0.0 finds a
// special token only at the very start of the text or right after another one. Each case also
// has the Llama 3 pre-tokenizer `llama3_pieces` (js-tiktoken's cl100k_base split regex, which
// Llama 3 uses) and js-tiktoken's cl100k_base ids `cl100k`, and the SmolLM pre-tokenizer's
// `smollm_pieces`.
//
// Usage: node scripts/gen-tokenizer-cases.mjs   (needs the npm packages gpt-tokenizer and
// js-tiktoken resolvable, e.g. NODE_PATH=/path/to/node_modules). The output escapes all
// non-ASCII as \uXXXX.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { encode } = require('gpt-tokenizer/cjs/encoding/r50k_base');
const tiktoken = require('js-tiktoken').getEncoding('gpt2');
const SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
const cl100kRanks = (await import('js-tiktoken/ranks/cl100k_base')).default;
const cl100k = new (require('js-tiktoken').Tiktoken)(cl100kRanks);
const SPLIT_LLAMA3 = new RegExp(cl100kRanks.pat_str, 'gu');

const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');
const cases = [
  ['empty', ''],
  ['one space', ' '],
  ['two spaces', '  '],
  ['three spaces', '   '],
  ['tab', '\t'],
  ['tabs', '\t\t\t'],
  ['mixed whitespace', ' \t \n \r\n '],
  ['word then space', 'hello '],
  ['word then spaces', 'hello   '],
  ['word then newline', 'hello\n'],
  ['word then space newline', 'hello \n'],
  ['leading spaces', '  hello'],
  ['leading newline', '\nhello'],
  ['three newlines', '\n\n\n'],
  ['crlf', 'a\r\nb\r\n\r\n'],
  ['paragraphs', 'line one\nline two\n\n\nline three\n'],
  ['spaces between words', 'a    b'],
  ['space newline space', 'a \n b'],
  ['spaces before newline', 'end.   \nnext'],
  ['tab indent', '\tif (x) {\n\t\treturn;\n\t}\n'],
  ['digits', '0 1 12 123 1234 12345 1234567890'],
  ['number forms', '3.14159, 1,000,000 and -42'],
  ['letters and digits', 'x2y3 abc123def 4th'],
  ['arabic-indic digits', '\u0663\u0664\u0665 \u06F1\u06F2'],
  ['superscripts and fractions', 'x\u00B2 + y\u00B2 = z\u00B2, \u00BD \u2162 \u2460'],
  ['contractions', "don't I'm we'll they're you've he'd it's"],
  ['uppercase contractions', "DON'T IT'S John'S I'M WE'LL"],
  ['apostrophes', "' '' ''' 's ''s rock 'n' roll"],
  ['curly apostrophe', 'it\u2019s don\u2019t'],
  ['punctuation', 'Hello, world! ... !!!??? a--b (x) [y] {z}'],
  ['special-looking text', '<|endoftext|> [EOS] [PAD] [UNK] [BOS]'],
  ['endoftext allowed', 'a<|endoftext|>b <|endoftext|>\n<|endoftext|><|endoftext|>', true],
  ['emoji', '\u{1F600} Hi \u{1F600}!'],
  ['emoji skin tone', '\u{1F44D}\u{1F3FD} \u{1F44B}\u{1F3FF}'],
  ['emoji zwj family', '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}'],
  ['emoji flags', '\u{1F1EB}\u{1F1F7}\u{1F1EF}\u{1F1F5} \u{1F3F4}\u200D\u2620\uFE0F'],
  ['emoji variation selector', '\u2764\uFE0F \u263A\uFE0E'],
  ['cjk', '\u65E5\u672C\u8A9E\u306E\u30C6\u30AD\u30B9\u30C8 \u4E2D\u6587\u6D4B\u8BD5'],
  ['hangul', '\uD55C\uAD6D\uC5B4 \uD14D\uC2A4\uD2B8'],
  ['arabic', '\u0645\u0631\u062D\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645'],
  ['hebrew', '\u05E9\u05DC\u05D5\u05DD \u05E2\u05D5\u05DC\u05DD'],
  ['combining acute', 'e\u0301 cafe\u0301 n\u0303'],
  ['zalgo', 'Z\u0324\u0354\u0367\u0311\u0313a\u0308\u0356\u032D\u0308\u0307l\u036E\u0312\u036B'],
  ['devanagari', '\u0915\u094D\u0937\u0924\u094D\u0930\u093F\u092F \u0939\u093F\u0928\u094D\u0926\u0940'],
  ['thai', '\u0E20\u0E32\u0E29\u0E32\u0E44\u0E17\u0E22'],
  ['control bytes', controls],
  ['nul inside', 'a\u0000b\u0000'],
  ['delete and C1', '\u007F \u0080 \u0085 \u009F'],
  ['replacement character', '\uFFFD a\uFFFDb \uFFFD\uFFFD'],
  ['nbsp', 'a\u00A0b \u00A0 \u00A0\u00A0x'],
  ['unicode spaces', 'a\u2003b\u3000c\u2009d\u202Fe\u205Ff\u1680g'],
  ['zero-width and bom', 'a\u200Bb \uFEFFc\u200Cd\u2060e'],
  ['line separators', 'a\u2028b\u2029c\u000Bd\u000Ce'],
  ['mongolian vowel separator', 'a\u180Eb'],
  ['latin-1 words', 'caf\u00E9 na\u00EFve r\u00E9sum\u00E9 Stra\u00DFe \u00DCn\u00EFc\u00F6d\u00E9'],
  ['math symbols', '\u2211\u222B\u221A\u221E \u2264 \u2260 \u00B1'],
  ['code', 'def f(x):\n    return x**2  # square\n\n'],
  ['url', 'https://example.com/path?q=1&r=2#frag'],
  ['long word', 'Supercalifragilisticexpialidocious antidisestablishmentarianism'],
  ['long letter run', 'a'.repeat(200)],
  ['long space run', ' '.repeat(100) + 'x' + ' '.repeat(100)],
  ['long newline run', '\n'.repeat(70)],
  ['long digit run', '9'.repeat(100)],
  ['long emoji run', '\u{1F600}'.repeat(30)],
  ['long punctuation run', '-='.repeat(60)],
  ['astral letters', '\u{10400}\u{10401} \u{1D400}\u{1D401}'],
  ['private use and unassigned', '\uE000\uF8FF \u{F0000} \u0378'],
  ['pangram', 'The quick brown fox jumps over the lazy dog.'],
  // Cases aimed at the Llama 3 (cl100k_base) rule's alternatives.
  ['mixed-case contractions', "'rE 'Ll 'VE 'D 'S'T'M x's"],
  ['newlines after punctuation', 'end.\n\nNext?!\r\n  x ;;\n'],
  ['spaces around newlines', 'a  \n  \n  b \t\n\t c\n '],
  ['number groups', '1234567 12.5 -0.001 \u0661\u0662\u0663\u0664 x1234y'],
  ['one char before letters', '\tword  \u00A0word (hello) \'quoted\' -dash _under \u{1F600}abc'],
  ['newline before letters', '\nword\r\nword\u2028word'],
  ['other runs then newlines', '!!\n\n?? \r\r\n...'],
  ['endoftext allowed twice', '<|endoftext|>start<|endoftext|>', true],
];

const escapeNonAscii = (s) => s.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
const out = cases.map(([name, text, allowSpecial]) => {
  const c = { name, text };
  if (allowSpecial) c.allow_special = true;
  c.pieces = text.match(SPLIT) ?? [];
  const ref = tiktoken.encode(text, allowSpecial ? 'all' : [], []);
  c.gpt2 = allowSpecial ? ref : encode(text, { disallowedSpecial: new Set() });
  if (JSON.stringify(ref) !== JSON.stringify(c.gpt2)) throw new Error(`js-tiktoken and gpt-tokenizer differ on "${name}"`);
  c.llama3_pieces = text.match(SPLIT_LLAMA3) ?? [];
  // SmolLM: each \p{N} character alone, GPT-2's regex on the text between (Hugging Face's
  // Digits(individual_digits) then ByteLevel(use_regex)).
  c.smollm_pieces = text.split(/(\p{N})/u).flatMap((s, i) => (i % 2 ? [s] : s.match(SPLIT) ?? []));
  c.cl100k = cl100k.encode(text, allowSpecial ? 'all' : [], []);
  return c;
});
const lines = out.map((c) => '    ' + escapeNonAscii(JSON.stringify(c)));
const doc = `{\n  "about": "Adversarial tokenizer cases; pieces and gpt2 ids from gpt-tokenizer r50k_base (js-tiktoken gpt2 where allow_special); llama3_pieces and cl100k ids from js-tiktoken cl100k_base; smollm_pieces: digits alone, then the gpt2 regex. Regenerate with scripts/gen-tokenizer-cases.mjs.",\n  "cases": [\n${lines.join(',\n')}\n  ]\n}\n`;
writeFileSync(new URL('../native-tests/data/tokenizer_cases.json', import.meta.url), doc);
console.log(`wrote ${out.length} cases`);
