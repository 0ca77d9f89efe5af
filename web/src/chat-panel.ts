// chat-panel.ts: step 5, chatting with the model through the package's OpenAI-style API
// (engine.chat.completions.create with stream: true). The model's chat template is shown and
// editable (a model without one gets the package's default, ChatML); an optional system
// message; replies stream into the conversation; Stop ends a reply (it keeps what came, with
// finish_reason "abort"); Clear forgets the conversation and the model's cached copy of it.
// After each reply a line tells the token counts, how many prompt tokens came from the cache
// (a follow-up turn only computes what it adds) and the time to the first token.

import { DEFAULT_CHAT_TEMPLATE, type ChatCompletionMessageParam, type CompletionUsage, type Model } from 'sllm';
import type { App } from './app.js';
import { byId, formatInt, h, numberValue } from './dom.js';
import { announce, clearError, showError } from './status.js';

export class ChatPanel {
  #send = byId<HTMLButtonElement>('chat-send');
  #stop = byId<HTMLButtonElement>('chat-stop');
  #clear = byId<HTMLButtonElement>('chat-clear');
  #input = byId<HTMLTextAreaElement>('chat-input');
  #log = byId<HTMLDivElement>('chat-log');
  #template = byId<HTMLTextAreaElement>('chat-template');
  #templateSource = byId('chat-template-source');
  #usage = byId('chat-usage');
  #model: Model | undefined;
  #messages: ChatCompletionMessageParam[] = [];
  #abort: AbortController | undefined;
  /** Chunks of text received for the last reply (for the browser test). */
  chunks = 0;

  constructor(private readonly app: App) {
    this.#send.addEventListener('click', () => void this.send());
    this.#stop.addEventListener('click', () => this.#abort?.abort());
    this.#clear.addEventListener('click', () => void this.clear());
    byId('chat-template-reset').addEventListener('click', () => this.#resetTemplate());
    this.#template.addEventListener('input', () => this.#templateChanged());
    this.#input.addEventListener('keydown', (e) => {
      // Enter sends; Shift+Enter is a newline.
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (!this.#send.disabled) void this.send();
      }
    });
    app.addEventListener('change', () => this.#sync());
    this.#sync();
  }

  #sync(): void {
    const model = this.app.current?.model;
    if (model !== this.#model) {
      this.#model = model;
      this.#forget();
      this.#resetTemplate();
    }
    this.#send.disabled = !this.app.modelQuiet;
    this.#clear.disabled = !this.app.modelQuiet;
    this.#stop.disabled = !this.#abort;
  }

  /** The template the model comes with, else the default. */
  #own(): string {
    return this.#model?.chatTemplate ?? DEFAULT_CHAT_TEMPLATE;
  }

  #resetTemplate(): void {
    this.#template.value = this.#own();
    this.#templateChanged();
  }

  #templateChanged(): void {
    const t = this.#template.value;
    this.#templateSource.textContent = t !== this.#own() ? '(edited)'
      : this.#model?.chatTemplate ? "(the model's own)" : '(the default: ChatML)';
    // Saving the model keeps a template that is not the default (library-panel.ts).
    this.app.chatTemplate = t && t !== DEFAULT_CHAT_TEMPLATE ? t : undefined;
  }

  #forget(): void {
    this.#messages = [];
    this.#log.textContent = '';
    this.#usage.textContent = '';
  }

  #bubble(role: 'user' | 'assistant', text: string): HTMLElement {
    const body = h('div', { className: 'chat-text' }, text);
    this.#log.append(h('div', { className: `chat-msg ${role}` }, h('span', { className: 'chat-role' }, role === 'user' ? 'You' : 'Model'), body));
    return body;
  }

  /** Forgets the conversation here and in the model's cache. */
  async clear(): Promise<void> {
    this.#forget();
    this.#input.focus();
    const model = this.#model;
    if (model && !model.disposed) await this.app.engine.resetChat(model).catch((e) => showError(e, 'Clearing the chat'));
    announce('Conversation cleared.');
  }

  /** Sends the message in the input and streams the reply into the conversation. */
  async send(): Promise<void> {
    const model = this.#model;
    const text = this.#input.value.trim();
    if (!model || !text || !this.app.modelQuiet) return;
    clearError();
    const system = byId<HTMLTextAreaElement>('chat-system').value.trim();
    const messages: ChatCompletionMessageParam[] = [
      ...(system ? [{ role: 'system' as const, content: system }] : []),
      ...this.#messages,
      { role: 'user', content: text },
    ];
    this.#abort = new AbortController();
    this.app.setGenerating(true);
    this.#log.setAttribute('aria-busy', 'true');
    const userBubble = this.#bubble('user', text);
    const reply = this.#bubble('assistant', '');
    this.chunks = 0;
    let finish = '';
    let usage: CompletionUsage | undefined;
    try {
      const stream = await this.app.engine.chat.completions.create({
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
        chat_template: this.#template.value,
        temperature: numberValue(byId<HTMLInputElement>('chat-temperature'), 0.7),
        max_tokens: Math.max(1, Math.round(numberValue(byId<HTMLInputElement>('chat-length'), 200))),
        signal: this.#abort.signal,
      });
      this.#input.value = '';
      for await (const chunk of stream) {
        const c = chunk.choices[0];
        if (c?.delta.content) {
          reply.append(c.delta.content);
          this.chunks++;
          this.#log.scrollTop = this.#log.scrollHeight;
        }
        if (c?.finish_reason) finish = c.finish_reason;
        if (chunk.usage) usage = chunk.usage;
      }
      this.#messages.push({ role: 'user', content: text }, { role: 'assistant', content: reply.textContent ?? '' });
      this.#showUsage(usage, finish);
      announce(finish === 'abort' ? 'Reply stopped.' : 'Reply complete.');
    } catch (e) {
      userBubble.parentElement?.remove();
      reply.parentElement?.remove();
      showError(e, 'Chatting');
    } finally {
      this.#log.setAttribute('aria-busy', 'false');
      this.#log.dataset.done = String(Date.now());
      this.#abort = undefined;
      this.app.setGenerating(false);
    }
  }

  #showUsage(u: CompletionUsage | undefined, finish: string): void {
    if (!u) return;
    const why = finish === 'stop' ? 'ended its turn' : finish === 'length' ? 'reached the length limit' : 'was stopped';
    this.#usage.textContent =
      `${formatInt(u.prompt_tokens)} prompt tokens (${formatInt(u.prompt_tokens_details.cached_tokens)} reused from the ` +
      `conversation cache), ${formatInt(u.completion_tokens)} reply tokens; first token after ` +
      `${Math.round(u.extra.time_to_first_token_s * 1000)} ms; the model ${why}.`;
    this.#usage.dataset.cached = String(u.prompt_tokens_details.cached_tokens);
  }
}
