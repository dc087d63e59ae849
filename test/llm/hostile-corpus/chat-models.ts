/** Chat models without a reasoning channel: Claude-style and GPT-style replies, and structured output. */
import {
  AMBIGUOUS,
  BESIDE,
  close,
  CUT_OFF,
  DISAGREE,
  DRAFT,
  hold,
  HYPOTHETICAL,
  item,
  MAX_TOKENS,
  NO_JSON,
  openLong,
  openShort,
  REPEAT,
  UNREADABLE,
  wait,
  type HostileReply,
} from './types';

const CLAUDE = 'claude';
const GPT = 'gpt';
const STRUCTURED = 'structured-output';

export const CHAT_MODEL_REPLIES: HostileReply[] = [
  {
    family: CLAUDE,
    name: 'Claude: <thinking>, prose, then <answer> with a fence',
    reply: `<thinking>
The account is flat. BTC's 4h structure is higher highs; 3m RSI cooled to 52 after the push. ETH lags.
</thinking>

Looking at the data, BTC offers the cleanest setup.

<answer>
\`\`\`json
{
  "reasoning": "BTC trend continuation after a reset in short-term momentum.",
  "decisions": [
    {"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1000, "leverage": 3, "stop_loss": 95500, "take_profit": 100500, "confidence": 0.62, "reason": "4h higher highs, 3m RSI reset"}
  ]
}
\`\`\`
</answer>`,
    keeps: [
      openLong('BTCUSDT', 1000, {
        leverage: 3,
        stopLoss: 95500,
        takeProfit: 100500,
        confidence: 0.62,
        reason: '4h higher highs, 3m RSI reset',
      }),
    ],
    drops: [],
  },
  {
    family: CLAUDE,
    name: 'Claude: analysis in prose with brackets and braces, then JSON',
    reply: `I'll review each position.

- ETHUSDT long: +4.2% [entry 3,240], stop at {entry - 2%} — fine.
- SOLUSDT short: funding (+0.03%) favours shorts [see table.

Given this, I'll hold ETH and close SOL:

{"decisions": [{"action": "hold", "symbol": "ETHUSDT", "reason": "trend intact"}, {"action": "close", "symbol": "SOLUSDT", "reason": "thesis invalidated"}]}`,
    keeps: [hold('trend intact', 'ETHUSDT'), close('SOLUSDT', 'thesis invalidated')],
    drops: [],
  },
  {
    family: CLAUDE,
    name: 'Claude: <antThinking> then the answer',
    reply: `<antThinking>The user expects a JSON block. Draft {"action": "open_short", "symbol": "DOGEUSDT", "size_usd": 12000, "leverage": 20}</antThinking>
{"decisions": [{"action": "wait", "reason": "DOGE too volatile for the size limits"}]}`,
    keeps: [wait('DOGE too volatile for the size limits')],
    drops: [DRAFT('<antThinking>')],
  },
  {
    family: CLAUDE,
    name: 'Claude: an example of the format, then the real answer',
    reply: `Here is the format I'll use, for example: {"action": "open_long", "symbol": "SYMBOL", "size_usd": 0}

My decision for this cycle:
{"decisions": [{"action": "close", "symbol": "BNBUSDT", "reason": "momentum faded"}]}`,
    keeps: [close('BNBUSDT', 'momentum faded')],
    drops: [HYPOTHETICAL],
  },
  {
    family: CLAUDE,
    name: 'Claude: "in the required JSON format" is no example',
    reply: `After weighing funding and momentum, here is my decision in the required JSON format:

{"decisions": [{"action": "open_short", "symbol": "DOGEUSDT", "size_usd": 250, "leverage": 2, "reason": "funding flipped"}]}`,
    keeps: [openShort('DOGEUSDT', 250, { leverage: 2, reason: 'funding flipped' })],
    drops: [],
  },
  {
    family: CLAUDE,
    name: 'Claude: a correction with different trades: none',
    reply: `{"decisions": [{"action": "open_long", "symbol": "XRPUSDT", "size_usd": 500, "leverage": 2}]}

Actually, I made an error: XRP's funding is deeply negative, shorts are paying. Let me correct that:

{"decisions": [{"action": "open_short", "symbol": "XRPUSDT", "size_usd": 500, "leverage": 2}]}`,
    keeps: 'none',
    why: AMBIGUOUS,
    drops: [DISAGREE, DISAGREE],
  },
  {
    family: CLAUDE,
    name: 'Claude: "Draft" then "Final" blocks',
    reply: `Draft:
{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 2000, "leverage": 8}]}

Final:
{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 800, "leverage": 4, "reason": "sized to the limits"}]}`,
    keeps: [openLong('SOLUSDT', 800, { leverage: 4, reason: 'sized to the limits' })],
    drops: [HYPOTHETICAL],
  },
  {
    family: CLAUDE,
    name: 'Claude: refuses to trade, no JSON',
    reply: "I can't make trading decisions with real money. Please consult a licensed financial advisor.",
    keeps: 'none',
    why: NO_JSON,
    drops: [],
  },
  {
    family: CLAUDE,
    name: 'Claude: a markdown table of decisions, no JSON',
    reply: `| Symbol | Action | Size |
|---|---|---|
| BTCUSDT | open_long | 1000 |`,
    keeps: 'none',
    why: NO_JSON,
    drops: [],
  },
  {
    family: CLAUDE,
    name: 'Claude: the answer in YAML',
    reply: `decisions:
  - action: open_long
    symbol: BTCUSDT
    size_usd: 1000`,
    keeps: 'none',
    why: NO_JSON,
    drops: [],
  },
  {
    family: CLAUDE,
    name: 'Claude: hedged language inside the JSON reason does not matter',
    reply: `{"decisions": [{"action": "close", "symbol": "ETHUSDT", "reason": "if it rebounds next cycle I would re-enter, but for now close"}]}`,
    keeps: [close('ETHUSDT', 'if it rebounds next cycle I would re-enter, but for now close')],
    drops: [],
  },

  // GPT-style.
  {
    family: GPT,
    name: 'GPT JSON mode: the canonical object',
    reply: '{"reasoning":"Range-bound market; no edge.","decisions":[{"action":"wait","reason":"no edge"}]}',
    keeps: [wait('no edge')],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: markdown headings, a fenced answer, a closing remark',
    reply: `### Market overview
BTC consolidates under 98k; ETH/BTC keeps falling.

### Decisions
\`\`\`json
[
  {"action": "open_short", "symbol": "ETHUSDT", "size_usd": 1500, "leverage": 3, "stop_loss": 3520, "reason": "ETH/BTC downtrend"},
  {"action": "hold", "symbol": "BTCUSDT", "reason": "no position change"}
]
\`\`\`

Let me know if you want a more aggressive plan.`,
    keeps: [
      openShort('ETHUSDT', 1500, { leverage: 3, stopLoss: 3520, reason: 'ETH/BTC downtrend' }),
      hold('no position change', 'BTCUSDT'),
    ],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: "Option A" and "Option B" blocks: none',
    reply: `Option A (momentum):
{"action": "open_long", "symbol": "DOGEUSDT", "size_usd": 400, "leverage": 3}

Option B (mean reversion):
{"action": "open_short", "symbol": "DOGEUSDT", "size_usd": 400, "leverage": 3}

I'd lean toward A.`,
    keeps: 'none',
    why: AMBIGUOUS,
    drops: [DISAGREE, DISAGREE],
  },
  {
    family: GPT,
    name: 'GPT: "Alternatively" marks the second block',
    reply: `Decision:
{"action": "close", "symbol": "BTCUSDT", "reason": "risk off before CPI"}

Alternatively, a tighter approach:
{"action": "open_short", "symbol": "BTCUSDT", "size_usd": 800, "leverage": 2}`,
    keeps: [close('BTCUSDT', 'risk off before CPI')],
    drops: [HYPOTHETICAL],
  },
  {
    family: GPT,
    name: 'GPT: a numbered list of decision objects is one list',
    reply: `Here are my decisions:
1. {"action": "close", "symbol": "SOLUSDT", "reason": "stop hit soon"}
2. {"action": "open_long", "symbol": "BNBUSDT", "size_usd": 600, "leverage": 3, "reason": "support"}`,
    keeps: [close('SOLUSDT', 'stop hit soon'), openLong('BNBUSDT', 600, { leverage: 3, reason: 'support' })],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: a bullet list of decision objects is one list',
    reply: `- {"action": "close", "symbol": "XRPUSDT"}
- {"action": "close", "symbol": "DOGEUSDT"}`,
    keeps: [close('XRPUSDT'), close('DOGEUSDT')],
    drops: [],
  },
  {
    // "{" then "#" starts no structure, so the list inside is the top-level JSON: the same decisions.
    family: GPT,
    name: 'GPT: a Python dict with a # comment and trailing commas',
    reply: `{
  # not valid, but models write it
  'decisions': [
    {'action': 'open_long', 'symbol': 'ETHUSDT', 'size_usd': 700, 'leverage': 2, 'stop_loss': None,},
  ],
}`,
    keeps: [openLong('ETHUSDT', 700, { leverage: 2 })],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: JS comments and trailing commas',
    reply: `{
  // my call
  "decisions": [
    {"action": "open_long", "symbol": "ETHUSDT", "size_usd": 700, "leverage": 2, "stop_loss": null,}, /* one only */
  ],
}`,
    keeps: [openLong('ETHUSDT', 700, { leverage: 2 })],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: numbers as strings with units',
    reply:
      '{"decisions": [{"action": "open_long", "symbol": "BTC/USDT", "size_usd": "$1,250", "leverage": "4x", "confidence": "70%", "stop_loss": "94,800"}]}',
    keeps: [openLong('BTCUSDT', 1250, { leverage: 4, confidence: 0.7, stopLoss: 94800 })],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: one invalid item among valid ones',
    reply:
      '{"decisions": [{"action": "close", "symbol": "ETHUSDT"}, {"action": "buy", "symbol": "SOLUSDT", "size_usd": 100}, {"action": "open_short", "symbol": "DOGEUSDT", "size_usd": 250}]}',
    keeps: [close('ETHUSDT'), openShort('DOGEUSDT', 250)],
    drops: [item(2, 'action "buy" is not one of')],
  },
  {
    family: GPT,
    name: 'GPT: the JSON restated after the prose, same trades',
    reply: `{"decisions": [{"action": "open_short", "symbol": "SOLUSDT", "size_usd": 500, "leverage": 2}]}

To summarise, the JSON again:
{"decisions": [{"action": "open_short", "symbol": "SOLUSDT", "size_usd": 500, "leverage": 2, "reason": "summary"}]}`,
    keeps: [openShort('SOLUSDT', 500, { leverage: 2, reason: 'summary' })],
    drops: [REPEAT],
  },
  {
    family: GPT,
    name: 'GPT: a double-encoded reply',
    reply: JSON.stringify(JSON.stringify({ decisions: [{ action: 'close', symbol: 'BNBUSDT' }] })),
    keeps: [close('BNBUSDT')],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: a bare empty list says nothing',
    reply: '[]',
    keeps: 'none',
    why: /no decision list in the JSON/,
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: an envelope with an empty list is an answer with no decisions',
    reply: '{"reasoning": "nothing to do", "decisions": []}',
    keeps: [],
    drops: [],
  },
  {
    family: GPT,
    name: 'GPT: decisions nested under an unknown key are not read, and nothing trades',
    reply: '{"response": {"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 900}]}}',
    keeps: 'none',
    why: /decision fields, but not where they are read/,
    drops: [UNREADABLE],
  },

  // Structured output.
  {
    family: STRUCTURED,
    name: 'structured: the tool input is the answer, the text beside it is not read',
    reply: 'I will submit: {"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 9000, "leverage": 20}]}',
    options: { structured: { reasoning: 'calm market', decisions: [{ action: 'wait', reason: 'calm' }] } },
    keeps: [wait('calm')],
    drops: [BESIDE],
  },
  {
    family: STRUCTURED,
    name: 'structured: a JSON-schema reply as a string',
    reply: '',
    options: { structured: '{"reasoning": "r", "decisions": [{"action": "close", "symbol": "SOLUSDT", "reason": "tp"}]}' },
    keeps: [close('SOLUSDT', 'tp')],
    drops: [],
  },
  {
    family: STRUCTURED,
    name: 'structured: a tool input with no decision list is not rescued by the text',
    reply: '{"decisions": [{"action": "close", "symbol": "ETHUSDT"}]}',
    options: { structured: { reasoning: 'oops' } },
    keeps: 'none',
    why: /the structured output holds no decision list/,
    drops: [BESIDE],
  },
  {
    family: STRUCTURED,
    name: 'structured: not JSON',
    reply: '',
    options: { structured: '{"decisions": [{"action": "close", ' },
    keeps: 'none',
    why: /the structured output is not JSON/,
    drops: [],
  },
  {
    family: STRUCTURED,
    name: 'structured: cut by max_tokens',
    reply: '',
    options: { structured: { decisions: [{ action: 'open_long', symbol: 'ETHUSDT', size_usd: 500 }] }, truncated: true },
    keeps: 'none',
    why: MAX_TOKENS,
    drops: [],
  },
  {
    family: STRUCTURED,
    name: 'structured: validation and contradictions apply as to text',
    reply: '',
    options: {
      structured: {
        decisions: [
          { action: 'open_long', symbol: 'BTCUSDT', size_usd: 500, side: 'short' },
          { action: 'open_long', symbol: 'ETHUSDT', size_usd: 500 },
          { action: 'open_short', symbol: 'ETHUSDT', size_usd: 500 },
          { action: 'close', symbol: 'SOLUSDT' },
        ],
      },
    },
    keeps: [close('SOLUSDT')],
    drops: [
      item(1, 'side "short" contradicts action open_long'),
      item(2, 'open_long and open_short of ETHUSDT'),
      item(3, 'open_long and open_short of ETHUSDT'),
    ],
  },
  {
    family: STRUCTURED,
    name: 'structured: drafts in the text beside it are recorded',
    reply: '<thinking>{"action": "open_short", "symbol": "XRPUSDT", "size_usd": 9999}</thinking>',
    options: { structured: { decisions: [{ action: 'hold' }] } },
    keeps: [hold()],
    drops: [/^inside the model's reasoning \(<thinking>\): a draft never trades \(in the text beside/],
  },
  {
    family: STRUCTURED,
    name: 'structured: a cut-off text beside a complete tool input does not matter',
    reply: '{"decisions": [{"action": "open_long", "symbol": "BTCU',
    options: { structured: { decisions: [{ action: 'close', symbol: 'BTCUSDT' }] } },
    keeps: [close('BTCUSDT')],
    drops: [/^the answer cannot be read: .* \(in the text beside/],
  },
  {
    family: GPT,
    name: 'GPT: the answer cut by max_tokens inside a fence',
    reply: '```json\n{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 600, "reason": "brea',
    keeps: 'none',
    why: CUT_OFF,
    drops: [UNREADABLE],
  },
];
