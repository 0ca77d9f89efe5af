// chat-model.mjs: a tiny chat model for the chat API's tests, trained here in a few seconds.
// Conversations of the made-up corpus ("Ada sees Bo." answered with "Bo sees Ada.") are
// rendered with a Zephyr-style template that ends each turn with the eos token, encoded with
// special tokens, and trained on; the saved file carries the template as its chat_template
// metadata, so every engine that loads it gets it as model.chatTemplate. Plain JavaScript (types
// in chat-model.d.mts) so that the demo's browser test (web/tests/chat.e2e.mjs) uses it too.

/** Zephyr-style: `<|role|>\n{content}{eos}\n` per message, then `<|assistant|>\n`. */
export const CHAT_TEMPLATE =
  "{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}{{ eos_token }}\n{% endfor %}" +
  "{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

const NAMES = ['Ada', 'Bo', 'Cy', 'Di'];
const VERBS = ['sees', 'likes', 'finds', 'helps'];

/** The i-th question of the corpus and its answer. */
export function exchange(i) {
  const a = NAMES[i % 4], b = NAMES[(i >> 2) % 4], v = VERBS[(i >> 4) % 4];
  return { question: `${a} ${v} ${b}.`, answer: `${b} ${v} ${a}.` };
}

/** The training text: conversations of one to three exchanges, with [EOS] ending each turn. */
export function chatCorpus(conversations = 600) {
  let seed = 7;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed >>> 16) % n;
  };
  let s = '';
  for (let c = 0; c < conversations; c++) {
    const turns = 1 + next(3);
    for (let t = 0; t < turns; t++) {
      const { question, answer } = exchange(next(64));
      s += `<|user|>\n${question}[EOS]\n<|assistant|>\n${answer}[EOS]\n`;
    }
  }
  return s;
}

export const CHAT_CONFIG = { contextLength: 192, dim: 48, layers: 2, heads: 2, ffnDim: 128 };

/** Trains the chat model on engine and returns its SLLM file (with the template as metadata). */
export async function trainChatModel(engine, steps = 250) {
  const corpus = chatCorpus();
  const tokenizer = await engine.createTokenizer({ type: 'char', text: corpus.replaceAll('[EOS]', ''), specials: ['eos'] });
  const model = await engine.createModel({ tokenizer, config: CHAT_CONFIG });
  const tokens = await tokenizer.encode(corpus, { allowSpecial: true });
  const trainer = await engine.createTrainer(model, {
    tokens, batchSize: 8, sequenceLength: 128, learningRate: 1e-2, minLearningRate: 1e-3, warmupSteps: 10,
    maxSteps: steps, evalInterval: 0, validationSplit: 0,
  });
  for await (const _ of trainer.run()) { /* train */ }
  const bytes = await model.save({ metadata: { name: 'chat-tiny', chat_template: CHAT_TEMPLATE } });
  trainer.dispose();
  model.dispose();
  tokenizer.dispose();
  return bytes;
}
