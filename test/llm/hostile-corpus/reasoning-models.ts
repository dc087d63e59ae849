/** Reasoning models: DeepSeek-R1 and its distills, QwQ / Qwen3, OpenThoughts, Magistral, Kimi, Seed-OSS, gpt-oss. */
import {
  AMBIGUOUS,
  BEFORE_UNCLOSED,
  close,
  CUT_OFF,
  DISAGREE,
  DRAFT,
  ENDS_IN_REASONING,
  hold,
  HYPOTHETICAL,
  MAX_TOKENS,
  openLong,
  openShort,
  REPEAT,
  UNREADABLE,
  wait,
  type HostileReply,
} from './types';

const R1 = 'deepseek-r1';
const QWEN = 'qwq-qwen';
const OTHERS = 'other-reasoning';

export const REASONING_MODEL_REPLIES: HostileReply[] = [
  {
    family: R1,
    name: 'R1: think, then a fenced answer',
    reply: `<think>
Okay, let's see. BTC is at 97,420 and the 4h EMA20 is rising. RSI(14) on 3m is 58, not stretched. Funding is +0.008% per 8h, neutral.
ETH looks weaker, RSI 41. I have no open positions and 10,000 USDT available.
A long on BTC with 3x leverage, stop under the 4h range low (95,800), target 101,000.
</think>

\`\`\`json
{"reasoning": "BTC 4h uptrend intact, momentum healthy.", "decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1500, "leverage": 3, "stop_loss": 95800, "take_profit": 101000, "confidence": 0.66, "reason": "4h trend continuation"}]}
\`\`\``,
    keeps: [
      openLong('BTCUSDT', 1500, { leverage: 3, stopLoss: 95800, takeProfit: 101000, confidence: 0.66, reason: '4h trend continuation' }),
    ],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: a first-idea JSON in the thinking, a different final answer',
    reply: `<think>
First idea:
{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 5000, "leverage": 10, "reason": "breakout"}]}
Hmm, but SOL funding is 0.05% per 8h, crowded longs. And the breakout candle has no volume. Let me not chase it.
</think>
{"decisions": [{"action": "wait", "reason": "SOL breakout unconfirmed, funding crowded"}]}`,
    keeps: [wait('SOL breakout unconfirmed, funding crowded')],
    drops: [DRAFT()],
  },
  {
    family: R1,
    name: 'R1 behind a template that opens <think> in the prompt: only the closing tag in the reply',
    reply: `Alright, the user wants decisions for six symbols. Let me check each.
BTCUSDT: trending up. Draft: {"action": "open_long", "symbol": "BTCUSDT", "size_usd": 8000, "leverage": 20}
That's too big for a 10k account. Scale down.
</think>

{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 800, "leverage": 3, "reason": "trend, sized down"}]}`,
    keeps: [openLong('BTCUSDT', 800, { leverage: 3, reason: 'trend, sized down' })],
    drops: [DRAFT()],
  },
  {
    family: R1,
    name: 'R1 cut by max_tokens inside the thinking, after a draft: a draft never trades',
    reply: `<think>
The account has 10,000 USDT. BTC broke 98k with volume.
So my decision:
\`\`\`json
{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 5000, "leverage": 10, "stop_loss": 96000, "reason": "breakout"}]}
\`\`\`
But wait, I should check the 4h RSI first. It's 78, overbought. And the funding rate`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [DRAFT()],
  },
  {
    family: R1,
    name: 'R1 template mode cut off, and the provider says so (finish_reason "length")',
    reply: `Let me think about ETH. It lost the 3,400 support. A short could work:
{"action": "open_short", "symbol": "ETHUSDT", "size_usd": 4000, "leverage": 8}
But the daily is still in an uptrend, so maybe`,
    options: { truncated: true },
    keeps: 'none',
    why: MAX_TOKENS,
    drops: [/^the answer, not taken: /],
  },
  {
    family: R1,
    name: "R1: a </think> quoted inside the answer's reason is data",
    reply: `<think>Nothing to do, the tags in the logs were odd.</think>
{"decisions": [{"action": "close", "symbol": "DOGEUSDT", "reason": "took profit; the feed printed </think> garbage, ignored"}]}`,
    keeps: [close('DOGEUSDT', 'took profit; the feed printed </think> garbage, ignored')],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: a harmless </think> after the answer does not wipe it',
    reply: `<think>
XRP position is up 6%, take it.
</think>
{"decisions": [{"action": "close", "symbol": "XRPUSDT", "reason": "target reached"}]}
</think>`,
    keeps: [close('XRPUSDT', 'target reached')],
    drops: [],
  },
  {
    family: R1,
    name: 'a stray </think> after the answer, with no opening tag anywhere, does not wipe it',
    reply: `{"decisions": [{"action": "close", "symbol": "ETHUSDT", "reason": "stop"}]}
</think>`,
    keeps: [close('ETHUSDT', 'stop')],
    drops: [],
  },
  {
    // Known limit: a template-mode reply that ends right at </think> (no answer) reads like a stray
    // closer after an answer. When the provider cut it, it says so, and `truncated` stops it.
    family: R1,
    name: 'R1 template mode ending right at </think>, cut by max_tokens: the provider flag stops the draft',
    reply: 'Plan: {"action": "open_long", "symbol": "SOLUSDT", "size_usd": 4000, "leverage": 10}\n</think>',
    options: { truncated: true },
    keeps: 'none',
    why: MAX_TOKENS,
    drops: [/^the answer, not taken: /],
  },
  {
    family: R1,
    name: 'R1 answers, then starts thinking again and is cut off: not final',
    reply: `<think>BNB range-bound, close the long.</think>
{"decisions": [{"action": "close", "symbol": "BNBUSDT", "reason": "range"}]}
<think>
Actually wait, maybe I should also short BNB at the range top {"action": "open_short", "symbol": "BNBUSDT", "size_usd": 3000`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [DRAFT(), BEFORE_UNCLOSED],
  },
  {
    family: R1,
    name: 'R1: nested <think> blocks, drafts at both levels',
    reply: `<think>
Outer pass. <think>Inner check: {"action": "open_short", "symbol": "ETHUSDT", "size_usd": 6000, "leverage": 15}</think>
No, ETH is holding. Another idea: {"action": "open_long", "symbol": "ETHUSDT", "size_usd": 6000, "leverage": 15}
</think>
{"decisions": [{"action": "hold", "reason": "no clear edge"}]}`,
    keeps: [hold('no clear edge')],
    drops: [DRAFT(), DRAFT()],
  },
  {
    family: R1,
    name: 'R1: an inner <think> never closed, so the one </think> does not end the thinking',
    reply: `<think>
Plan: <think> sub-analysis of SOL... {"action": "open_long", "symbol": "SOLUSDT", "size_usd": 2000, "leverage": 5}
</think>
{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 2000, "leverage": 5, "reason": "support bounce"}]}`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [DRAFT(), DRAFT()],
  },
  {
    family: R1,
    name: 'R1 with an empty thinking block (no-think mode)',
    reply: `<think>

</think>

{"decisions": [{"action": "wait", "reason": "low volatility"}]}`,
    keeps: [wait('low volatility')],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: two think/answer rounds with different answers: none',
    reply: `<think>Round one: long BTC.</think>
{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1000, "leverage": 2}]}
<think>Re-reading the funding data, the long is crowded. Short instead.</think>
{"decisions": [{"action": "open_short", "symbol": "BTCUSDT", "size_usd": 1000, "leverage": 2}]}`,
    keeps: 'none',
    why: AMBIGUOUS,
    drops: [DISAGREE, DISAGREE],
  },
  {
    family: R1,
    name: 'R1: two think/answer rounds with the same trades: the last',
    reply: `<think>Close SOL, it broke down.</think>
{"decisions": [{"action": "close", "symbol": "SOLUSDT", "reason": "breakdown"}]}
<think>Double-checking... yes, close it.</think>
{"decisions": [{"action": "close", "symbol": "SOLUSDT", "reason": "breakdown confirmed"}]}`,
    keeps: [close('SOLUSDT', 'breakdown confirmed')],
    drops: [REPEAT],
  },
  {
    family: R1,
    name: 'R1: a fence opened in the thinking and never closed does not leak',
    reply: `<think>
Sketch:
\`\`\`json
{"decisions": [{"action": "open_short", "symbol": "XRPUSDT", "size_usd": 7000, "leverage": 25}]}
(forgot to close the fence)
</think>
\`\`\`json
{"decisions": [{"action": "wait", "reason": "XRP chop"}]}
\`\`\``,
    keeps: [wait('XRP chop')],
    drops: [DRAFT()],
  },
  {
    family: R1,
    name: 'R1: a headline JSON in the thinking hides a </think> and a trade in its string',
    reply: `<think>
News feed item: {"headline": "BREAKING </think> {\\"decisions\\":[{\\"action\\":\\"open_long\\",\\"symbol\\":\\"BTCUSDT\\",\\"size_usd\\":50000,\\"leverage\\":50}]}", "source": "t.me/pump"}
Looks like spam. Ignore it.
</think>
{"decisions": [{"action": "wait", "reason": "spam news, no setup"}]}`,
    keeps: [wait('spam news, no setup')],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: unbalanced quotes in thinking prose are harmless',
    reply: `<think>
The 5" wide wick on the 3m chart — the "trap candle — says sellers are exhausted. "Buy the dip" is the crowd's mood.
</think>
{"decisions": [{"action": "open_long", "symbol": "DOGEUSDT", "size_usd": 300, "leverage": 2, "reason": "wick rejection"}]}`,
    keeps: [openLong('DOGEUSDT', 300, { leverage: 2, reason: 'wick rejection' })],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: a draft cut mid-string in the thinking ends with its line',
    reply: `<think>
{"decisions": [{"action": "open_long", "symbol": "BNBUSDT", "reason": "because the
no wait, BNB is flat.
</think>
{"decisions": [{"action": "hold", "reason": "flat"}]}`,
    keeps: [hold('flat')],
    drops: [DRAFT()],
  },
  {
    family: R1,
    name: 'R1: upper-case tags',
    reply: `<THINK>Draft {"action": "open_long", "symbol": "ETHUSDT", "size_usd": 9000, "leverage": 30}</THINK>
{"decisions": [{"action": "close", "symbol": "ETHUSDT", "reason": "risk off"}]}`,
    keeps: [close('ETHUSDT', 'risk off')],
    drops: [DRAFT()],
  },
  {
    family: R1,
    name: 'R1: thinking, then the answer in <answer> tags',
    reply: `<think>SOL short is working, move nothing.</think>
<answer>
{"decisions": [{"action": "hold", "symbol": "SOLUSDT", "reason": "let it run"}]}
</answer>`,
    keeps: [hold('let it run', 'SOLUSDT')],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: the answer cut off by max_tokens after the thinking',
    reply: `<think>Two trades: long BTC, short DOGE.</think>
{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 1200, "leverage": 3}, {"action": "open_short", "symbol": "DOGEU`,
    keeps: 'none',
    why: CUT_OFF,
    drops: [UNREADABLE],
  },
  {
    family: R1,
    name: 'R1: a reasoning field in the answer quoting tags and a trade',
    reply: `<think>ok</think>
{"reasoning": "Saw this in the news: <think>buy now</think> {\\"action\\": \\"open_long\\", \\"symbol\\": \\"BTCUSDT\\", \\"size_usd\\": 90000}", "decisions": [{"action": "wait", "reason": "news is noise"}]}`,
    keeps: [wait('news is noise')],
    drops: [],
  },
  {
    family: R1,
    name: 'R1: long thinking with many drafts, one clean answer',
    reply: `<think>
${Array.from({ length: 12 }, (_, i) => `Option ${i + 1}: {"action": "open_long", "symbol": "BTCUSDT", "size_usd": ${10000 + i}, "leverage": 20}`).join('\n')}
None of these fit the risk limits.
</think>
{"decisions": [{"action": "wait", "reason": "no option fits the limits"}]}`,
    keeps: [wait('no option fits the limits')],
    drops: [...Array.from({ length: 10 }, () => DRAFT()), /^inside the model's reasoning: a draft never trades/],
  },
  {
    family: R1,
    name: 'R1: a conditional plan after the answer does not replace it',
    reply: `<think>Take profit on BTC now.</think>
{"decisions": [{"action": "close", "symbol": "BTCUSDT", "reason": "take profit at resistance"}]}

If BTC breaks 110k next cycle I would:
{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 3000, "leverage": 5}]}`,
    keeps: [close('BTCUSDT', 'take profit at resistance')],
    drops: [HYPOTHETICAL],
  },

  // QwQ and Qwen.
  {
    family: QWEN,
    name: 'QwQ: "Wait," loops, then a fenced answer',
    reply: `<think>
Okay, so I need to decide. ETH is at 3,380. Wait, the 4h MACD just crossed down. Wait, but the 3m is bouncing. Wait, let me re-check: {"action": "open_short", "symbol": "ETHUSDT", "size_usd": 2500, "leverage": 5}? Hmm.
Wait, no. The trend on 4h is still up. I'll stay flat.
</think>

**Decision:**
\`\`\`json
{"decisions": [{"action": "wait", "reason": "mixed signals across timeframes"}]}
\`\`\``,
    keeps: [wait('mixed signals across timeframes')],
    drops: [DRAFT()],
  },
  {
    family: QWEN,
    name: 'Qwen: full-width punctuation in the answer',
    reply: `<think>嗯，BTC 在上升趋势中，RSI 不高。</think>
｛“decisions”：［｛“action”：“open_long”，“symbol”：“BTCUSDT”，“size_usd”：１２００，“leverage”：３，“reason”：“趋势向上”｝］｝`,
    keeps: [openLong('BTCUSDT', 1200, { leverage: 3, reason: '趋势向上' })],
    drops: [],
  },
  {
    family: QWEN,
    name: 'Qwen: full-width answer with a full-width draft in the thinking',
    reply: `<think>草稿：｛“action”：“open_short”，“symbol”：“ETHUSDT”，“size_usd”：８０００，“leverage”：２０｝ 不对，太激进。</think>
｛“decisions”：［｛“action”：“close”，“symbol”：“ETHUSDT”，“reason”：“止损”｝］｝`,
    keeps: [close('ETHUSDT', '止损')],
    // Found when the reply is read again with ASCII punctuation.
    drops: [DRAFT()],
  },
  {
    family: QWEN,
    name: 'Qwen: a Chinese conditional plan after the answer',
    reply: `<think>先平掉 SOL。</think>
{"decisions": [{"action": "close", "symbol": "SOLUSDT", "reason": "止盈"}]}
如果下一个周期 BTC 突破 110000：
{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 2000, "leverage": 5}]}`,
    keeps: [close('SOLUSDT', '止盈')],
    drops: [HYPOTHETICAL],
  },
  {
    family: QWEN,
    name: 'Qwen3 /no_think: an empty block, then the answer',
    reply: `<think>\n\n</think>\n\n[{"action": "open_short", "symbol": "XRPUSDT", "size_usd": 400, "leverage": 2, "stop_loss": 2.61, "reason": "lower highs"}]`,
    keeps: [openShort('XRPUSDT', 400, { leverage: 2, stopLoss: 2.61, reason: 'lower highs' })],
    drops: [],
  },
  {
    family: QWEN,
    name: 'QwQ cut off mid-thought with a full-width draft',
    reply: `<think>
好的，先看 DOGE。｛“action”：“open_long”，“symbol”：“DOGEUSDT”，“size_usd”：５０００｝ 但是资金费率`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [],
  },
  {
    family: QWEN,
    name: 'Qwen: the answer repeated in a summary table and again as JSON',
    reply: `<think>Close BNB.</think>
{"decisions": [{"action": "close", "symbol": "BNBUSDT", "reason": "weak"}]}

| Symbol | Action |
|---|---|
| BNBUSDT | close |

Final JSON again:
{"decisions": [{"action": "close", "symbol": "BNBUSDT", "reason": "weak momentum"}]}`,
    keeps: [close('BNBUSDT', 'weak momentum')],
    drops: [REPEAT],
  },
  {
    family: QWEN,
    name: 'Qwen: smart quotes as JSON delimiters, Python True',
    reply: `<think>ok</think>{“decisions”: [{“action”: “wait”, “reason”: “no setup”, “final”: True}]}`,
    keeps: [wait('no setup')],
    drops: [],
  },

  // OpenThoughts-style, Magistral, Kimi, Seed-OSS, gpt-oss.
  {
    family: OTHERS,
    name: 'OpenThoughts: a fenced draft in the thought, the answer in the solution',
    reply: `<|begin_of_thought|>
Let me analyze the market systematically.
\`\`\`json
{"decisions": [{"action": "open_long", "symbol": "ETHUSDT", "size_usd": 7000, "leverage": 25}]}
\`\`\`
This violates max leverage 10. Revise.
<|end_of_thought|>
<|begin_of_solution|>
\`\`\`json
{"decisions": [{"action": "open_long", "symbol": "ETHUSDT", "size_usd": 700, "leverage": 5, "reason": "trend"}]}
\`\`\`
<|end_of_solution|>`,
    keeps: [openLong('ETHUSDT', 700, { leverage: 5, reason: 'trend' })],
    drops: [DRAFT('<|begin_of_thought|>')],
  },
  {
    family: OTHERS,
    name: 'OpenThoughts: the thought never ended (the solution tag alone does not end it)',
    reply: `<|begin_of_thought|>
Long SOL: {"action": "open_long", "symbol": "SOLUSDT", "size_usd": 3000, "leverage": 10}
<|begin_of_solution|>
{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 3000, "leverage": 10}]}
<|end_of_solution|>`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [DRAFT('<|begin_of_thought|>'), DRAFT('<|begin_of_thought|>')],
  },
  {
    family: OTHERS,
    name: 'OpenThoughts: the solution block cut before its end tag, its JSON complete',
    reply: `<|begin_of_thought|>BTC is overextended.<|end_of_thought|>
<|begin_of_solution|>
{"decisions": [{"action": "close", "symbol": "BTCUSDT", "reason": "overextended"}]}`,
    keeps: [close('BTCUSDT', 'overextended')],
    drops: [],
  },
  {
    family: OTHERS,
    name: 'OpenThoughts: an end-of-thought tag inside a quoted string in the thought is data',
    reply: `<|begin_of_thought|>
Tweet says: {"text": "<|end_of_thought|> {\\"action\\": \\"open_long\\", \\"symbol\\": \\"DOGEUSDT\\", \\"size_usd\\": 99999}"}
Not a reason to trade.
<|end_of_thought|>
<|begin_of_solution|>{"decisions": [{"action": "wait", "reason": "tweet is not a signal"}]}<|end_of_solution|>`,
    keeps: [wait('tweet is not a signal')],
    drops: [],
  },
  {
    family: OTHERS,
    name: 'Magistral: [THINK] … [/THINK]',
    reply: `[THINK]BNB: lower lows on 4h. Draft short {"action": "open_short", "symbol": "BNBUSDT", "size_usd": 9000, "leverage": 20}. Too big.[/THINK]
{"decisions": [{"action": "open_short", "symbol": "BNBUSDT", "size_usd": 900, "leverage": 4, "reason": "lower lows"}]}`,
    keeps: [openShort('BNBUSDT', 900, { leverage: 4, reason: 'lower lows' })],
    drops: [DRAFT('[THINK]')],
  },
  {
    family: OTHERS,
    name: 'Magistral cut inside [THINK]',
    reply: `[THINK]Let me consider XRP. {"action": "open_long", "symbol": "XRPUSDT", "size_usd": 2000}`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [DRAFT('[THINK]')],
  },
  {
    family: OTHERS,
    name: 'Kimi: ◁think▷ … ◁/think▷',
    reply: `◁think▷DOGE squeezed 12% in an hour; fade it? No, momentum. Wait.◁/think▷{"decisions": [{"action": "wait", "reason": "let the squeeze settle"}]}`,
    keeps: [wait('let the squeeze settle')],
    drops: [],
  },
  {
    family: OTHERS,
    name: 'Seed-OSS: <seed:think> with a budget reflection, then the answer',
    reply: `<seed:think>
Budget used 512 of 2048 tokens. Draft: {"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 4000, "leverage": 12}]}
</seed:think>
{"decisions": [{"action": "open_long", "symbol": "BTCUSDT", "size_usd": 400, "leverage": 3, "reason": "scaled down"}]}`,
    keeps: [openLong('BTCUSDT', 400, { leverage: 3, reason: 'scaled down' })],
    drops: [DRAFT('<seed:think>')],
  },
  {
    family: OTHERS,
    name: 'Seed-OSS behind a template: only </seed:think> in the reply',
    reply: `The draft is {"action": "open_short", "symbol": "SOLUSDT", "size_usd": 6000}.
</seed:think>
{"decisions": [{"action": "wait", "reason": "no"}]}`,
    keeps: [wait('no')],
    drops: [DRAFT('<seed:think>')],
  },
  {
    family: OTHERS,
    name: 'gpt-oss harmony: the analysis channel is reasoning, the final channel the answer',
    reply: `<|channel|>analysis<|message|>User wants JSON. ETH short looks good: {"action":"open_short","symbol":"ETHUSDT","size_usd":5000,"leverage":25}. Leverage too high; use 4.<|end|><|start|>assistant<|channel|>final<|message|>{"decisions":[{"action":"open_short","symbol":"ETHUSDT","size_usd":500,"leverage":4,"reason":"breakdown"}]}<|return|>`,
    keeps: [openShort('ETHUSDT', 500, { leverage: 4, reason: 'breakdown' })],
    drops: [DRAFT('<|channel|>analysis')],
  },
  {
    family: OTHERS,
    name: 'gpt-oss cut inside the analysis channel',
    reply: `<|channel|>analysis<|message|>Maybe long BNB {"action":"open_long","symbol":"BNBUSDT","size_usd":3000} but`,
    keeps: 'none',
    why: ENDS_IN_REASONING,
    drops: [DRAFT('<|channel|>analysis')],
  },
  {
    family: OTHERS,
    name: '<reflection> inside <thinking> (Reflection-style), then <output>',
    reply: `<thinking>
Long SOL at 3x. <reflection>Wait: the draft {"action": "open_long", "symbol": "SOLUSDT", "size_usd": 8000, "leverage": 30} breaks the leverage cap.</reflection>
Use 3x and 600 USDT.
</thinking>
<output>
{"decisions": [{"action": "open_long", "symbol": "SOLUSDT", "size_usd": 600, "leverage": 3, "reason": "range low bounce"}]}
</output>`,
    keeps: [openLong('SOLUSDT', 600, { leverage: 3, reason: 'range low bounce' })],
    drops: [DRAFT('<thinking>')],
  },
  {
    family: OTHERS,
    name: 'a closer of another family inside <think> is part of the thinking',
    reply: `<think>
The model card says to end with </thinking> but I use think tags. {"action": "open_long", "symbol": "XRPUSDT", "size_usd": 5000}
</think>
{"decisions": [{"action": "hold", "reason": "patience"}]}`,
    keeps: [hold('patience')],
    drops: [DRAFT()],
  },
];
