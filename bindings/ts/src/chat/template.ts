// chat/template.ts: chat templates. A conversation becomes the model's prompt by rendering the
// model's Jinja chat template with @huggingface/jinja, given what Hugging Face's
// apply_chat_template gives it (messages, add_generation_prompt, bos_token, eos_token, ...;
// blocks trimmed and left-stripped as transformers configures Jinja). A model without a
// template gets DEFAULT_CHAT_TEMPLATE (ChatML). The template's end-of-turn markers are found in
// its text, so replies stop where the template ends a turn.

import { Template } from '@huggingface/jinja';
import { SllmRequestError } from './errors.js';

/**
 * The chat template of a model that has none: ChatML, as Hugging Face's tokenizers used by
 * default. Each message is `<|im_start|>{role}\n{content}<|im_end|>\n`; the generation prompt
 * is `<|im_start|>assistant\n`; replies end at `<|im_end|>`.
 */
export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/**
 * Strings that end a turn in well-known chat formats (ChatML, Llama 3, Phi-3, Gemma, GPT-2 style,
 * Llama 2/Zephyr, Command R). A reply stops at those that appear literally in its template.
 */
export const END_OF_TURN_MARKERS: readonly string[] = [
  '<|im_end|>',
  '<|eot_id|>',
  '<|eom_id|>',
  '<|end|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '<|end_of_text|>',
  '</s>',
  '<|END_OF_TURN_TOKEN|>',
];

/** A message as templates see it: role and text content. */
export interface TemplateMessage {
  role: string;
  content: string;
}

/** What a template is rendered with besides the messages (Hugging Face's names). */
export interface TemplateContext {
  /** Append the text that starts the assistant's turn (default false, as in Hugging Face's). */
  add_generation_prompt?: boolean;
  bos_token?: string;
  eos_token?: string;
  unk_token?: string;
  pad_token?: string;
  [key: string]: unknown;
}

const parsed = new Map<string, Template>();
const MAX_CACHED = 16;

function compile(template: string): Template {
  let t = parsed.get(template);
  if (!t) {
    try {
      t = new Template(template);
    } catch (e) {
      throw new SllmRequestError('invalid_chat_template', 'chat_template',
        `the chat template is not valid Jinja (${(e as Error).message}); fix the template or use another`, { cause: e });
    }
    if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value as string);
    parsed.set(template, t);
  }
  return t;
}

/**
 * Renders a conversation with a Jinja chat template as Hugging Face's apply_chat_template(...,
 * tokenize=False) does. Throws SllmRequestError ('invalid_chat_template') when the template
 * does not parse or fails (e.g. its raise_exception() refuses the conversation).
 */
export function renderChatTemplate(template: string, messages: readonly TemplateMessage[], context: TemplateContext = {}): string {
  if (typeof template !== 'string')
    throw new SllmRequestError('invalid_chat_template', 'chat_template', 'the chat template must be a string');
  const t = compile(template);
  try {
    return t.render({ ...context, messages });
  } catch (e) {
    throw new SllmRequestError('invalid_chat_template', 'chat_template',
      `the chat template failed on this conversation: ${(e as Error).message}`, { cause: e });
  }
}

/** The end-of-turn markers a template writes (see END_OF_TURN_MARKERS). */
export function endOfTurnMarkers(template: string): string[] {
  return END_OF_TURN_MARKERS.filter((m) => template.includes(m));
}

/**
 * A model's own chat template: the string metadata `chat_template`, else its tokenizer's (an
 * SLLM file's tokenizer member, a GGUF's tokenizer.chat_template, a Hugging Face folder's
 * tokenizer_config.json).
 */
export function modelChatTemplate(metadata: Readonly<Record<string, string>>, tokenizerTemplate: string): string | undefined {
  if (typeof metadata.chat_template === 'string' && metadata.chat_template) return metadata.chat_template;
  return tokenizerTemplate || undefined;
}
