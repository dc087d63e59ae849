/** Max-tokens cuts at awkward places, huge and pathological inputs (the ones that used to hang), malformed fields. */
import {
  close, CUT_OFF, DRAFT, ENDS_IN_REASONING, hold, item, MAX_TOKENS, NO_JSON, NOT_TAKEN, openLong, openShort, SIZE_CAP, UNREADABLE, wait,
  type HostileReply,
} from './types';

const CUTS = 'max-tokens-cuts';
const HUGE = 'huge-and-pathological';
const FIELDS = 'malformed-fields';

const ANSWER = '{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 700, "leverage": 3, "reason": "trend"}]}';
const ANSWER_DECISION = openLong('BTCUSDT', 700, { leverage: 3, reason: 'trend' });
const MB = 1024 * 1024;

export const CUT_AND_SIZE_REPLIES: HostileReply[] = [
  {
    family: CUTS, name: 'cut inside the closing tag',
    reply: `<think>Long BTC. {"action": "open_long", "symbol": "BTCUSDT", "size_usd": 700}</thi`,
    keeps: 'none', why: ENDS_IN_REASONING, drops: [DRAFT()],
  },
  {
    family: CUTS, name: 'cut inside the opening fence of the answer',
    reply: '<think>ok, close ETH</think>\n``',
    keeps: 'none', why: NO_JSON, drops: [],
  },
  {
    family: CUTS, name: 'cut inside a key of the answer',
    reply: '<think>ok</think>\n{"decisions": [{"act',
    keeps: 'none', why: CUT_OFF, drops: [UNREADABLE],
  },
  {
    family: CUTS, name: 'cut inside a number of the answer',
    reply: '{"decisions": [{"action": "open_short", "symbol": "SOLUSDT", "size_usd": 12',
    keeps: 'none', why: CUT_OFF, drops: [UNREADABLE],
  },
  {
    family: CUTS, name: 'cut after the answer, in the closing prose (no flag from the provider): the answer stands',
    reply: `${ANSWER}\n\nThat's my call for this cycle; I will revisit the`,
    keeps: [ANSWER_DECISION],
    drops: [],
  },
  {
    family: CUTS, name: 'the same, with the provider reporting the cut: nothing trades',
    reply: `${ANSWER}\n\nThat's my call for this cycle; I will revisit the`,
    options: { truncated: true },
    keeps: 'none', why: MAX_TOKENS, drops: [NOT_TAKEN],
  },
  {
    family: CUTS, name: 'cut exactly at the end of the answer\'s closing fence',
    reply: `<think>fine</think>\n\`\`\`json\n${ANSWER}\n\`\`\``,
    keeps: [ANSWER_DECISION],
    drops: [],
  },
  {
    family: CUTS, name: 'cut in the first line of a second thinking round',
    reply: `<think>a</think>\n${ANSWER}\n<think>hmm, maybe not`,
    keeps: 'none', why: ENDS_IN_REASONING, drops: [/^written before <think>/],
  },
  {
    family: CUTS, name: 'cut inside a string of a draft in the thinking',
    reply: '<think>{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "reason": "the</think>" is what the',
    keeps: 'none', why: ENDS_IN_REASONING, drops: [DRAFT()],
  },
  {
    family: CUTS, name: 'a JSON Lines answer cut exactly at a line end trades the complete lines',
    reply: '{"action": "close", "symbol": "ETHUSDT"}\n{"action": "close", "symbol": "SOLUSDT"}\n',
    keeps: [close('ETHUSDT'), close('SOLUSDT')],
    drops: [],
  },
  {
    family: CUTS, name: 'cut in the reasoning field of the answer',
    // No decision field yet: nothing that looked like a decision to record, only the wait's reason.
    reply: '{"reasoning": "BTC looks strong because the 4h',
    keeps: 'none', why: CUT_OFF, drops: [],
  },
  {
    family: CUTS, name: 'cut right after "<think>"',
    reply: '<think>',
    keeps: 'none', why: ENDS_IN_REASONING, drops: [],
  },

  // Huge and pathological: each used to be super-linear, or is a nearby shape.
  {
    family: HUGE, name: 'a numeric string with 25,000 spaces',
    reply: `{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": "1${' '.repeat(25_000)}x"}]}`,
    keeps: [], drops: [item(1, 'size_usd ".*" is not a number')],
  },
  {
    family: HUGE, name: 'a numeric string with 200,000 spaces',
    reply: `{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 500, "leverage": "5${' '.repeat(200_000)}"}]}`,
    keeps: [], drops: [item(1, 'leverage ".*" is not a number')],
  },
  {
    family: HUGE, name: 'a stop-loss of 60,000 spaces then "USDT"',
    reply: `{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 500, "stop_loss": "9${' '.repeat(60_000)}USDT"}]}`,
    keeps: [], drops: [item(1, 'stop_loss ".*" is not a number')],
  },
  {
    family: HUGE, name: '40,000 unclosed <think> tags',
    reply: '<think>'.repeat(40_000),
    keeps: 'none', why: SIZE_CAP, drops: [],
  },
  {
    family: HUGE, name: '30,000 unclosed <think> tags (under the cap)',
    reply: '<think>'.repeat(30_000),
    keeps: 'none', why: ENDS_IN_REASONING, drops: [],
  },
  {
    family: HUGE, name: '15,000 <think></think> pairs, then the answer',
    reply: `${'<think></think>'.repeat(15_000)}\n${ANSWER}`,
    keeps: [ANSWER_DECISION], drops: [],
  },
  {
    family: HUGE, name: '20,000 <think></think> pairs (past the cap with the answer)',
    reply: `${'<think></think>'.repeat(20_000)}\n${ANSWER}`,
    keeps: 'none', why: SIZE_CAP, drops: [],
  },
  {
    family: HUGE, name: '5 MB of "{"',
    reply: '{'.repeat(5 * MB),
    keeps: 'none', why: SIZE_CAP, drops: [],
  },
  {
    family: HUGE, name: '256 KB of "{" (at the cap)',
    reply: '{'.repeat(256 * 1024),
    keeps: 'none', why: NO_JSON, drops: [],
  },
  {
    family: HUGE, name: '256 KB of "["',
    reply: '['.repeat(256 * 1024),
    keeps: 'none', why: CUT_OFF, drops: [],
  },
  {
    family: HUGE, name: '128 K of "{\\"" (every opener looks like JSON)',
    reply: '{"'.repeat(128 * 1024),
    keeps: 'none', why: CUT_OFF, drops: [],
  },
  {
    family: HUGE, name: '50,000 unclosed {"action": keys',
    reply: '{"action": '.repeat(50_000).slice(0, 256 * 1024),
    keeps: 'none', why: CUT_OFF, drops: [UNREADABLE],
  },
  {
    family: HUGE, name: '256 KB of quotes',
    reply: '"'.repeat(256 * 1024),
    keeps: 'none', why: NO_JSON, drops: [],
  },
  {
    family: HUGE, name: '256 KB of backslashes then an answer past the cap',
    reply: `${'\\'.repeat(256 * 1024)}${ANSWER}`,
    keeps: 'none', why: SIZE_CAP, drops: [],
  },
  {
    family: HUGE, name: '256 KB of "<"',
    reply: '<'.repeat(256 * 1024),
    keeps: 'none', why: NO_JSON, drops: [],
  },
  {
    family: HUGE, name: '200,000 spaces, then the answer',
    reply: `${' '.repeat(200_000)}${ANSWER}`,
    keeps: [ANSWER_DECISION], drops: [],
  },
  {
    family: HUGE, name: 'an answer whose reason is 200,000 characters',
    reply: JSON.stringify({ decisions: [{ action: 'close', symbol: 'ETHUSDT', reason: 'r'.repeat(200_000) }] }),
    keeps: [close('ETHUSDT', `${'r'.repeat(500)}…`)], drops: [],
  },
  {
    family: HUGE, name: '200 JSON Lines: one list, the first 20 read',
    reply: Array.from({ length: 200 }, () => '{"action": "hold"}').join('\n'),
    keeps: Array.from({ length: 20 }, () => hold()), drops: [/^only the first 20 decisions are read: 180 more ignored$/],
  },
  {
    family: HUGE, name: '10,000 JSON Lines: too many structures to read, none',
    reply: Array.from({ length: 10_000 }, () => '{"action": "hold"}').join('\n'),
    keeps: 'none', why: /10000 JSON structures outside the reasoning \(at most 256 are read\)/, drops: [/^one of 10000 JSON structures outside the reasoning: too many to read$/],
  },
  {
    family: HUGE, name: '3,000 drafts in the thinking',
    reply: `<think>${'{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 9000}\n'.repeat(3_000)}</think>\n${ANSWER}`,
    keeps: [ANSWER_DECISION], drops: [...Array.from({ length: 10 }, () => DRAFT()), /^inside the model's reasoning: a draft never trades$/],
  },
  {
    family: HUGE, name: 'nesting 100,000 levels deep',
    reply: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
    keeps: 'none', why: /nesting deeper than 64 levels/, drops: [],
  },
  {
    family: HUGE, name: 'a flood of mixed tags of every family',
    reply: `${'<thinking>[THINK]◁think▷<|begin_of_thought|></think>'.repeat(4_000)}${ANSWER}`,
    keeps: 'none', why: ENDS_IN_REASONING, drops: [DRAFT('<thinking>')],
  },
  {
    family: HUGE, name: 'a 300 KB reply under a larger cap',
    reply: `${'x'.repeat(300 * 1024)}\n${ANSWER}`,
    options: { maxChars: 512 * 1024 },
    keeps: [ANSWER_DECISION], drops: [],
  },
  {
    family: HUGE, name: 'a small cap set by the caller',
    reply: `${ANSWER}\n${'y'.repeat(100)}`,
    options: { maxChars: 100 },
    keeps: 'none', why: SIZE_CAP, drops: [UNREADABLE],
  },

  // Malformed fields.
  {
    family: FIELDS, name: 'an approximate size and a leverage range',
    reply: '{"decisions": [{"action": "open_long", "symbol": "ETHUSDT", "size_usd": "~500", "leverage": "3-5"}]}',
    keeps: [], drops: [item(1, 'size_usd "~500" is not a number; leverage "3-5" is not a number')],
  },
  {
    family: FIELDS, name: 'confidence 150 and a negative size',
    reply: '{"decisions": [{"action": "open_short", "symbol": "SOLUSDT", "size_usd": -200, "confidence": 150}]}',
    keeps: [], drops: [item(1, 'confidence 150 is not between 0 and 1')],
  },
  {
    family: FIELDS, name: 'NaN and Infinity',
    reply: '{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": NaN}, {"action": "open_short", "symbol": "ETHUSDT", "size_usd": 100, "leverage": Infinity}]}',
    keeps: [], drops: [item(1, 'size_usd NaN is not a finite number'), item(2, 'leverage Infinity is not a finite number')],
  },
  {
    family: FIELDS, name: 'ccxt-style and perp-style symbols',
    reply: '{"decisions": [{"action": "close", "symbol": "BTC/USDT:USDT"}, {"action": "close", "symbol": "eth-perp"}, {"action": "close", "symbol": "SOLUSDT.P"}]}',
    keeps: [close('BTCUSDT'), close('ETHUSDT'), close('SOLUSDT')], drops: [],
  },
  {
    family: FIELDS, name: 'quantity instead of size, camelCase keys',
    reply: '{"decisions": [{"action": "open_short", "symbol": "BNBUSDT", "quantity": 0.5, "stopLoss": 700, "takeProfit": 600}]}',
    keeps: [{ action: 'open_short', symbol: 'BNBUSDT', quantity: 0.5, stopLoss: 700, takeProfit: 600, reason: '' }], drops: [],
  },
  {
    family: FIELDS, name: 'an open without a size, a close without a symbol',
    reply: '{"decisions": [{"action": "open_long", "symbol": "XRPUSDT", "leverage": 3}, {"action": "close"}]}',
    keeps: [], drops: [item(1, 'open_long needs size_usd or quantity'), item(2, 'close needs a symbol')],
  },
  {
    family: FIELDS, name: 'two spellings of the size disagreeing',
    reply: '{"decisions": [{"action": "open_long", "symbol": "DOGEUSDT", "size_usd": 100, "sizeUsd": 10000}]}',
    keeps: [], drops: [item(1, 'conflicting values for size_usd')],
  },
  {
    family: FIELDS, name: 'a duplicated action key',
    reply: '{"decisions": [{"action": "hold", "action": "open_long", "symbol": "BTCUSDT", "size_usd": 100}]}',
    keeps: [], drops: [item(1, 'duplicated key "action"')],
  },
  {
    family: FIELDS, name: 'a very long symbol string',
    reply: `{"decisions": [{"action": "close", "symbol": "BTC${'/USDT'.repeat(20_000)}"}]}`,
    keeps: [], drops: [item(1, 'symbol ".*" is not traded by this agent')],
  },
  {
    family: FIELDS, name: 'a 1e400 size and a boolean leverage',
    reply: '{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1e400, "leverage": true}]}',
    keeps: [], drops: [item(1, 'size_usd Infinity is not a finite number; leverage a boolean is not a number')],
  },
  {
    family: FIELDS, name: 'actions in odd case, hold and wait without symbols',
    reply: '{"decisions": [{"action": " Open Short ", "symbol": "xrp", "size_usd": 150}, {"action": "HOLD"}, {"action": "Wait"}]}',
    keeps: [openShort('XRPUSDT', 150), hold(), wait()], drops: [],
  },
];
