// chat-template.test.ts: the chat API's pure parts, without a model. Chat templates of three
// well-known formats (committed fixtures in wasm-tests/fixtures/chat/: the template, messages
// and the prompt written by hand from each format's documentation) render byte for byte; the
// default template is ChatML; end-of-turn markers are found in templates; stop strings are
// cut and never leak in part, whatever the piece boundaries; requests are checked field by field.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_TEMPLATE, renderChatTemplate, SllmRequestError } from '../dist/index.js';
import { endOfTurnMarkers } from '../dist/chat/template.js';
import { StopMatcher } from '../dist/chat/stop.js';
import { toJob } from '../dist/chat/request.js';

interface Fixture {
  name: string;
  template: string;
  bos_token: string;
  eos_token: string;
  end_of_turn: string[];
  cases: { messages: { role: string; content: string }[]; add_generation_prompt: boolean; expected: string }[];
}

const dir = new URL('./fixtures/chat/', import.meta.url);
const fixtures: Fixture[] = readdirSync(dir).filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));

describe('chat templates', () => {
  it('has the three fixtures', () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual(['ChatML', 'Llama 3', 'Zephyr']);
  });

  for (const f of fixtures) {
    it(`${f.name}: renders the documented prompt byte for byte`, () => {
      for (const c of f.cases) {
        const out = renderChatTemplate(f.template, c.messages, {
          bos_token: f.bos_token, eos_token: f.eos_token, add_generation_prompt: c.add_generation_prompt,
        });
        expect(Buffer.from(out, 'utf8').toString('hex')).toBe(Buffer.from(c.expected, 'utf8').toString('hex'));
      }
    });

    it(`${f.name}: end-of-turn markers`, () => {
      expect(endOfTurnMarkers(f.template)).toEqual(f.end_of_turn);
    });
  }

  it('the default template is ChatML', () => {
    const chatml = fixtures.find((f) => f.name === 'ChatML')!;
    for (const c of chatml.cases)
      expect(renderChatTemplate(DEFAULT_CHAT_TEMPLATE, c.messages, { add_generation_prompt: c.add_generation_prompt }))
        .toBe(c.expected);
    expect(endOfTurnMarkers(DEFAULT_CHAT_TEMPLATE)).toEqual(['<|im_end|>']);
  });

  it('a broken template or one that refuses the conversation gives invalid_chat_template', () => {
    const broken = (() => { try { renderChatTemplate('{% for m in messages %}', []); } catch (e) { return e; } })();
    expect(broken).toBeInstanceOf(SllmRequestError);
    expect(broken).toMatchObject({ code: 'invalid_chat_template', param: 'chat_template', status: 400, type: 'invalid_request_error' });
    const refusing = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversations must start with a user message') }}{% endif %}";
    expect(() => renderChatTemplate(refusing, [{ role: 'system', content: 'x' }]))
      .toThrow(/the chat template failed on this conversation: .*must start with a user message/);
    expect(renderChatTemplate(refusing, [{ role: 'user', content: 'x' }])).toBe('');
  });
});

/** Feeds text to a matcher in the given pieces; returns what came out and whether it stopped. */
function run(stops: string[], pieces: string[]): { out: string; stopped: boolean; emitted: string[] } {
  const m = new StopMatcher(stops);
  const emitted: string[] = [];
  for (const p of pieces) {
    const r = m.push(p);
    emitted.push(r.text);
    if (r.stopped) return { out: emitted.join(''), stopped: true, emitted };
  }
  const end = m.flush();
  emitted.push(end.text);
  return { out: emitted.join(''), stopped: end.stopped, emitted };
}

/** Every way of cutting s into pieces of 1 to 3 characters (code points). */
function* splits(chars: string[], at = 0): Generator<string[]> {
  if (at === chars.length) { yield []; return; }
  for (let n = 1; n <= 3 && at + n <= chars.length; n++)
    for (const rest of splits(chars, at + n)) yield [chars.slice(at, at + n).join(''), ...rest];
}

describe('stop strings', () => {
  it('cuts at the earliest stop string, across every piece boundary, and never emits part of one', () => {
    const stops = ['<|im_end|>', 'END', 'ab'];
    const text = 'x<|im<|im_end|>t';  // a false start, then the real marker (5768 ways to cut it)
    for (const pieces of splits([...text])) {
      const r = run(stops, pieces);
      expect(r.stopped).toBe(true);
      expect(r.out).toBe('x<|im');
      // everything emitted before the stop is a prefix of the answer: nothing taken back
      let sofar = '';
      for (const e of r.emitted) { sofar += e; expect('x<|im'.startsWith(sofar)).toBe(true); }
    }
  });

  it('holds back a possible start and releases it when it is not one', () => {
    const m = new StopMatcher(['STOP']);
    expect(m.push('abcST')).toEqual({ text: 'abc', stopped: false });
    expect(m.push('O')).toEqual({ text: '', stopped: false });
    expect(m.push('x')).toEqual({ text: 'STOx', stopped: false });
    expect(m.push('ST')).toEqual({ text: '', stopped: false });
    expect(m.flush()).toEqual({ text: 'ST', stopped: false });
  });

  it('a match waits while an earlier stop string may still complete, and is used if that one fails', () => {
    const m = new StopMatcher(['abcd', 'c']);
    expect(m.push('xab')).toEqual({ text: 'x', stopped: false });
    expect(m.push('c')).toEqual({ text: '', stopped: false });   // 'c' matched, but 'abcd' may start earlier
    expect(m.push('e')).toEqual({ text: 'ab', stopped: true });  // 'abcd' failed: cut at 'c'
    const n = new StopMatcher(['abcd', 'c']);
    expect(n.push('xabc')).toEqual({ text: 'x', stopped: false });
    expect(n.flush()).toEqual({ text: 'ab', stopped: true });    // the reply ended: cut at 'c'
  });

  it('overlapping stop strings: the earliest match wins', () => {
    for (const pieces of splits([...'1234567'])) {
      expect(run(['345', '23'], pieces).out).toBe('1');
      expect(run(['4567', '56'], pieces).out).toBe('123');
    }
  });

  it('non-ASCII text and stop strings', () => {
    for (const pieces of splits([...'héllo 👋 wörld'])) expect(run(['👋 w'], pieces).out).toBe('héllo ');
  });

  it('no stop strings: everything passes at once', () => {
    expect(run([], ['a', 'b'])).toEqual({ emitted: ['a', 'b', ''], out: 'ab', stopped: false });
  });
});

describe('request checks', () => {
  const msgs = [{ role: 'user' as const, content: 'hi' }];
  const err = (f: () => unknown) => { try { f(); } catch (e) { return e as SllmRequestError; } throw new Error('no error'); };

  it('unsupported fields name the field', () => {
    for (const [field, value] of [['n', 2], ['tools', [{}]], ['logprobs', true], ['top_logprobs', 2], ['frequency_penalty', 0.5],
      ['presence_penalty', 1], ['logit_bias', { 1: 2 }], ['response_format', { type: 'json_object' }], ['tool_choice', 'auto'],
      ['repetition_penalty', 1.1]] as const) {
      const e = err(() => toJob('chat', { messages: msgs, [field]: value } as never));
      expect(e).toBeInstanceOf(SllmRequestError);
      expect(e).toMatchObject({ code: 'unsupported_parameter', param: field, status: 400, type: 'invalid_request_error' });
      expect(e.error).toEqual({ message: e.message, type: 'invalid_request_error', code: 'unsupported_parameter', param: field });
    }
    expect(err(() => toJob('text', { prompt: 'x', echo: true }))).toMatchObject({ code: 'unsupported_parameter', param: 'echo' });
    expect(err(() => toJob('chat', { messages: [{ role: 'tool', content: 'x', tool_call_id: '1' }] })))
      .toMatchObject({ code: 'unsupported_parameter', param: 'messages[0].role' });
    expect(err(() => toJob('chat', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })))
      .toMatchObject({ code: 'unsupported_parameter', param: 'messages[0].content[0]' });
  });

  it('neutral values of unsupported fields are accepted', () => {
    const job = toJob('chat', { messages: msgs, n: 1, frequency_penalty: 0, presence_penalty: 0, logprobs: false, tools: [],
      response_format: { type: 'text' }, repetition_penalty: 1, logit_bias: {}, tool_choice: 'none', user: 'u' });
    expect(job.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('bad values and unknown fields', () => {
    expect(err(() => toJob('chat', { messages: msgs, temperature: -1 }))).toMatchObject({ code: 'invalid_value', param: 'temperature' });
    expect(err(() => toJob('chat', { messages: msgs, top_p: 0 }))).toMatchObject({ code: 'invalid_value', param: 'top_p' });
    expect(err(() => toJob('chat', { messages: msgs, max_tokens: 0 }))).toMatchObject({ code: 'invalid_value', param: 'max_tokens' });
    expect(err(() => toJob('chat', { messages: msgs, seed: 1.5 }))).toMatchObject({ code: 'invalid_value', param: 'seed' });
    expect(err(() => toJob('chat', { messages: msgs, stop: [''] }))).toMatchObject({ code: 'invalid_value', param: 'stop' });
    expect(err(() => toJob('chat', { messages: [] }))).toMatchObject({ code: 'invalid_value', param: 'messages' });
    expect(err(() => toJob('chat', { messages: [{ role: 'robot', content: 'x' }] } as never)))
      .toMatchObject({ code: 'invalid_value', param: 'messages[0].role' });
    expect(err(() => toJob('chat', { messages: msgs, stream_options: { include_usage: true } })))
      .toMatchObject({ code: 'invalid_value', param: 'stream_options' });
    expect(err(() => toJob('chat', { messages: msgs, temprature: 1 } as never))).toMatchObject({ code: 'unknown_parameter', param: 'temprature' });
    expect(err(() => toJob('text', { prompt: 'x', messages: msgs } as never))).toMatchObject({ code: 'unknown_parameter', param: 'messages' });
  });

  it('a job carries the sampling, stops and text parts', () => {
    const job = toJob('chat', {
      messages: [{ role: 'system', content: 's' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
        { role: 'assistant', content: null }],
      temperature: 0, top_p: 0.5, top_k: 3, seed: 7, max_completion_tokens: 9, stop: 'x', chat_template: 't',
    });
    expect(job).toEqual({
      kind: 'chat', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'ab' }, { role: 'assistant', content: '' }],
      sampling: { temperature: 0, top_p: 0.5, top_k: 3, seed: 7 }, maxTokens: 9, stop: ['x'], ignoreEos: false, chatTemplate: 't',
    });
  });
});
