/**
 * parseReply against its 100 ms budget: the worst parse time per input generator (pathological shapes
 * built up to the 256 KB cap and past it, and the property tests' generators, alone and packed to the
 * cap) and per family of the hostile corpus (test/llm/hostile-corpus/).
 *
 *   npx tsx bench/parse-reply.ts            (PARSE_BENCH_SAMPLES=200 for more generated replies)
 *
 * Each input is parsed REPEATS times after a warm-up, with a garbage collection before each run, and
 * its slowest run counts. Exits 1 when a worst case is over budget.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { MAX_REPLY_CHARS, parseReply } from '../decisions/llm/parse-reply';
import type { ParseReplyOptions } from '../decisions/llm/types';
import { CORPUS_SYMBOLS, HOSTILE_CORPUS } from '../test/llm/hostile-corpus';
import { generatedReply, noisyReply, replyText, structuralSoup, SYMBOLS } from '../test/llm/parse-reply-generators';

const BUDGET_MS = 100;
const REPEATS = 3;
const CAP = MAX_REPLY_CHARS;
const SAMPLES = Number(process.env.PARSE_BENCH_SAMPLES ?? 60);

interface Input {
  text: string;
  options?: ParseReplyOptions;
}

/** `unit` repeated to fill `size` characters (cut at the end). */
const fill = (unit: string, size = CAP) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
const ANSWER = '{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 700, "leverage": 3, "reason": "trend"}]}';
const packed = (pieces: string[], size = CAP) => {
  let text = '';
  for (let i = 0; text.length < size; i++) text += `${pieces[i % pieces.length]}\n`;
  return text.slice(0, size);
};

const decisionItem = (i: number) =>
  `{"action": "open_long", "symbol": "BTCUSDT", "size_usd": ${100 + i}, "leverage": 3, "stop_loss": 90000, "take_profit": 99000, "confidence": 0.5, "reason": "r${i}"}`;

const sample = <T>(arb: fc.Arbitrary<T>, n = SAMPLES) => fc.sample(arb, { numRuns: n, seed: 20_260_601 });

/** Generators: a name and its inputs. */
const GENERATORS: Array<[string, () => Input[]]> = [
  [
    'numeric string with a whitespace run',
    () => [
      { text: `{"decisions":[{"action":"open_long","symbol":"BTCUSDT","size_usd":"1${' '.repeat(CAP - 100)}x"}]}` },
      { text: `{"decisions":[{"action":"open_long","symbol":"BTCUSDT","size_usd":500,"leverage":"5${' '.repeat(CAP - 120)}"}]}` },
      { text: fill('{"action":"open_long","symbol":"BTCUSDT","size_usd":"1                                                  x"}\n') },
    ],
  ],
  ['unclosed <think> tags', () => [{ text: fill('<think>') }, { text: fill('<think>', CAP - ANSWER.length) + ANSWER }]],
  ['<think></think> pairs, then an answer', () => [{ text: fill('<think></think>', CAP - ANSWER.length - 1) + '\n' + ANSWER }]],
  [
    'mixed reasoning tags of every family',
    () => [
      { text: fill('<thinking>[THINK]◁think▷<|begin_of_thought|><seed:think></think>') },
      { text: fill('</think></thinking>[/THINK]<|end|><|end_of_thought|>') },
      { text: fill('<think>{"a": "</think>"}') },
    ],
  ],
  [
    'bracket floods',
    () => [
      { text: fill('{') },
      { text: fill('[') },
      { text: fill('[{') },
      { text: fill('{"') },
      { text: fill('}') },
      { text: fill(']') },
      { text: `${fill('[', CAP / 2)}${fill(']', CAP / 2)}` },
    ],
  ],
  [
    'quotes, backslashes, "<"',
    () => [{ text: fill('"') }, { text: fill('\\') }, { text: fill('<') }, { text: fill('\\"') }, { text: fill('{"a":"\\') }],
  ],
  [
    'unclosed decision keys',
    () => [{ text: fill('{"action": ') }, { text: fill('{"decisions": [') }, { text: fill('action: decisions: ') }],
  ],
  [
    'JSON Lines at the cap',
    () => [{ text: fill('{"action": "hold"}\n') }, { text: fill('{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 500}\n') }],
  ],
  [
    'many decision blocks separated by prose',
    () => [
      { text: fill('Step: {"action": "hold"}\n') },
      { text: fill(`${'If BTC breaks 110k next cycle I would: '.repeat(10)}<answer><answer><answer><answer><answer>{"action": "wait"}\n`) },
    ],
  ],
  [
    'drafts in the thinking at the cap',
    () => [{ text: `<think>${fill('{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 9000}\n', CAP - 200)}</think>\n${ANSWER}` }],
  ],
  [
    'long strings',
    () => [
      { text: JSON.stringify({ reasoning: 'r'.repeat(CAP - 200), decisions: [{ action: 'wait' }] }) },
      { text: JSON.stringify({ decisions: [{ action: 'close', symbol: 'ETHUSDT', reason: '</think>{'.repeat((CAP - 200) / 9) }] }) },
    ],
  ],
  [
    'full-width and smart quotes (read twice)',
    () => [
      { text: fill('｛“action”：“open_long”，“symbol”：“BTCUSDT”，“size_usd”：１０００｝\n') },
      { text: fill('“') },
      { text: fill('，：｛［') },
    ],
  ],
  [
    'decision blocks to validate (32 x 20 items)',
    () => [
      {
        text: Array.from(
          { length: 32 },
          (_, b) => `Option ${b}:\n[${Array.from({ length: 20 }, (_, i) => decisionItem(b * 20 + i)).join(', ')}]\n`,
        ).join(''),
      },
      {
        text: Array.from(
          { length: 255 },
          (_, i) => `${'If maybe '.repeat(100)}<answer>\n{"action": "close", "symbol": "BTCUSDT", "reason": "${i}"}\n`,
        )
          .join('')
          .slice(0, CAP),
      },
      {
        text: Array.from({ length: 255 }, () => `${'。'.repeat(700)}｛“action”：“close”，“symbol”：“BTCUSDT”｝\n`)
          .join('')
          .slice(0, CAP),
      },
    ],
  ],
  [
    'lenient JSON edge cases at the cap',
    () => [
      {
        text: `{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 100, ${Array.from({ length: 20_000 }, (_, i) => `"k${i}": 1`).join(', ')}}]}`,
      },
      {
        text: `{"decisions": [${Array.from({ length: 20 }, () => `{"action": "hold", ${Array.from({ length: 250 }, (_, i) => `"stopLoss${i}": 1`).join(', ')}}`).join(', ')}]}`,
      },
      { text: `{"decisions": [{"${'k'.repeat(CAP - 100)}": 1, "action": "wait"}]}` },
      { text: `{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": ${'9'.repeat(CAP - 100)}}]}` },
      { text: `{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1${',000'.repeat((CAP - 100) / 4)}}]}` },
      { text: `{"decisions": [${'/* c */ '.repeat((CAP - 100) / 8)}{"action": "wait"}]}` },
      { text: `{"decisions": [{"action": "wait", "reason": "${'\\u0041'.repeat((CAP - 100) / 6)}"}]}` },
      { text: `{"decisions": [${Array.from({ length: 2000 }, () => '['.repeat(60) + ']'.repeat(60)).join(',')}]}` },
    ],
  ],
  ['whitespace runs', () => [{ text: `${' '.repeat(CAP - ANSWER.length)}${ANSWER}` }, { text: fill(' \n\t') }]],
  [
    'past the cap (5 MB)',
    () => [{ text: fill('{', 5 * 1024 * 1024) }, { text: ANSWER + fill('x', 5 * 1024 * 1024) }, { text: fill('<think>', 5 * 1024 * 1024) }],
  ],
  [
    'structured output beside a huge text',
    () => [
      {
        text: fill('{"action": "open_long"}\n'),
        options: { structured: { decisions: Array.from({ length: 10_000 }, () => ({ action: 'hold' })) } },
      },
    ],
  ],
  ['generated replies (property tests)', () => sample(generatedReply).map((g) => ({ text: replyText(g) }))],
  ['generated replies with noise', () => sample(noisyReply).map((g) => ({ text: replyText(g) }))],
  ['structural soup', () => sample(structuralSoup).map((text) => ({ text }))],
  ['generated replies packed to the cap', () => [{ text: packed(sample(generatedReply, 200).map(replyText)) }]],
  ['noisy replies packed to the cap', () => [{ text: packed(sample(noisyReply, 200).map(replyText)) }]],
  ['structural soup packed to the cap', () => [{ text: packed(sample(structuralSoup, 400)) }]],
];

// A collection between runs, so that no run pays for the garbage of the one before.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function worstMs(input: Input, symbols: readonly string[]): number {
  let worst = 0;
  for (let i = 0; i < REPEATS; i++) {
    collectGarbage();
    const started = performance.now();
    parseReply(input.text, symbols, input.options);
    worst = Math.max(worst, performance.now() - started);
  }
  return worst;
}

function row(name: string, inputs: number, largest: number, ms: number): string {
  const verdict = ms < BUDGET_MS ? 'ok' : 'OVER BUDGET';
  return `${name.padEnd(48)} ${String(inputs).padStart(6)} ${`${(largest / 1024).toFixed(0)} KB`.padStart(9)} ${ms.toFixed(1).padStart(9)} ms  ${verdict}`;
}

function main(): void {
  // Warm-up: the JIT compiles the parser's paths before anything is timed.
  for (const c of HOSTILE_CORPUS) parseReply(c.reply, CORPUS_SYMBOLS, c.options);
  for (const g of sample(generatedReply, 50)) parseReply(replyText(g), SYMBOLS);

  let over = 0;
  const header = `${'generator'.padEnd(48)} ${'inputs'.padStart(6)} ${'largest'.padStart(9)} ${'worst'.padStart(12)}`;
  console.log(`parseReply, budget ${BUDGET_MS} ms per reply, cap ${CAP / 1024} KB, worst of ${REPEATS} runs per input\n\n${header}`);
  for (const [name, make] of GENERATORS) {
    const inputs = make();
    const worst = Math.max(...inputs.map((input) => worstMs(input, SYMBOLS)));
    if (worst >= BUDGET_MS) over++;
    console.log(row(name, inputs.length, Math.max(...inputs.map((i) => i.text.length)), worst));
  }

  console.log(`\n${'corpus family'.padEnd(48)} ${'inputs'.padStart(6)} ${'largest'.padStart(9)} ${'worst'.padStart(12)}`);
  const families = new Map<string, typeof HOSTILE_CORPUS>();
  for (const c of HOSTILE_CORPUS) families.set(c.family, [...(families.get(c.family) ?? []), c]);
  for (const [family, cases] of families) {
    const worst = Math.max(...cases.map((c) => worstMs({ text: c.reply, ...(c.options && { options: c.options }) }, CORPUS_SYMBOLS)));
    if (worst >= BUDGET_MS) over++;
    console.log(row(family, cases.length, Math.max(...cases.map((c) => c.reply.length)), worst));
  }
  console.log(over === 0 ? '\nevery worst case is under budget' : `\n${over} worst case(s) over budget`);
  process.exitCode = over === 0 ? 0 : 1;
}

main();
