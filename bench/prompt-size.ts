/**
 * Prompt size: the lean prompt (decisions/prompt/build-prompt.ts) against the same information laid out
 * as the seed's prompt (000 §2.3: one labelled line per field per coin, "$" prices, signed "%" changes),
 * for one replay cycle on the bundled data: six symbols, two open positions, a trading record with a refusal, the
 * agent's standing against its limits and its fee rate.
 * Both carry the same values at the same precision, so the ratio measures the layout only.
 *
 *   npm run bench      (or: npx tsx bench/prompt-size.ts)
 */
import { withRiskDefaults, type RiskLimits } from '../arena-config/types';
import {
  buildPrompt,
  fmtDuration,
  fmtFixed,
  fmtPrice,
  fmtSig,
  fmtTime,
  fmtUsd,
  limitsText,
  type PromptSettings,
} from '../decisions/prompt/build-prompt';
import { limitsState } from '../decisions/prompt/limits-state';
import { styleText } from '../decisions/prompt/styles';
import { estimateTokens, TOKEN_ENCODING } from '../decisions/prompt/tokens';
import type { DecisionInput, LimitsState, PerformanceFeedback, PositionView } from '../decisions/types';
import { REPLAY_BAR_MS, ReplayMarketData } from '../market/replay';
import { fetchSymbolSnapshot, roundSig, type SymbolSnapshot } from '../market/snapshot';

export const BENCH_CYCLE = 200;
const HOUR = 60 * 60_000;
const MAINTENANCE_MARGIN_RATE = 0.004;

/** The demo agents' limits (config/agents/ema-trend.yaml). */
export const BENCH_RISK: RiskLimits = {
  maxPositions: 3,
  maxLeverage: 10,
  maxPositionSizePct: 30,
  maxTotalPositionPct: 80,
  maxSingleTradePct: 50,
  maxSingleTradeWithPositionsPct: 30,
  maxDailyLossPct: 15,
  maxMarginUsagePct: 90,
  stopLossPct: 3,
  takeProfitPct: 10,
};

export const BENCH_SETTINGS: PromptSettings = { promptSections: ['Prefer BTC and ETH; leave the small caps alone.'] };
/** The paper venue's taker fee. */
export const BENCH_TAKER_FEE = 0.0005;

/** A record as performanceFeedback (ledger/feedback.ts) returns it: made up, the market data is not. */
const FEEDBACK: PerformanceFeedback = {
  tradeCount: 9,
  winRate: 4 / 9,
  totalPnl: -41.37,
  recentTrades: [
    { symbol: 'ETHUSDT', side: 'long', pnl: 58.21, returnOnMarginPct: 11.64, closeReason: 'take_profit', holdMinutes: 171 },
    { symbol: 'SOLUSDT', side: 'short', pnl: -35.9, returnOnMarginPct: -7.18, closeReason: 'stop_loss', holdMinutes: 48 },
    { symbol: 'BTCUSDT', side: 'long', pnl: -62.05, returnOnMarginPct: -6.2, closeReason: 'stop_loss', holdMinutes: 95 },
    { symbol: 'DOGEUSDT', side: 'short', pnl: -12.4, returnOnMarginPct: -4.13, closeReason: 'stop_loss', holdMinutes: 33 },
    { symbol: 'BTCUSDT', side: 'short', pnl: -18.77, returnOnMarginPct: -1.88, closeReason: 'signal', holdMinutes: 260 },
  ],
  bestSymbol: { symbol: 'ETHUSDT', pnl: 58.21 },
  worstSymbol: { symbol: 'BTCUSDT', pnl: -80.82 },
  recentDecisions: [
    { cycle: 199, summary: 'hold' },
    { cycle: 198, summary: 'open short SOLUSDT 100 @3x' },
    { cycle: 197, summary: 'wait' },
    {
      cycle: 196,
      summary: '1 rejected',
      rejections: [
        'open_short DOGEUSDT: DOGEUSDT was stopped out 2 min ago: no new position there for 15 min after a stop-loss (stop_loss_cooldown_minutes)',
      ],
    },
    { cycle: 195, summary: 'close ETHUSDT' },
  ],
};

async function position(
  source: ReplayMarketData,
  snapshot: SymbolSnapshot,
  now: number,
  p: { side: 'long' | 'short'; quantity: number; leverage: number; heldMs: number },
): Promise<PositionView> {
  const openedAt = now - p.heldMs;
  const [bar] = await source.candles(snapshot.symbol, '3m', openedAt, 1);
  const entry = bar!.close;
  const sign = p.side === 'long' ? 1 : -1;
  const atr = snapshot.tf4h.atr14 ?? entry * 0.01;
  return {
    symbol: snapshot.symbol,
    side: p.side,
    quantity: p.quantity,
    entryPrice: entry,
    markPrice: snapshot.price,
    unrealizedPnl: (snapshot.price - entry) * p.quantity * sign,
    leverage: p.leverage,
    margin: (entry * p.quantity) / p.leverage,
    liquidationPrice: roundSig(entry * (1 - sign * (1 / p.leverage - MAINTENANCE_MARGIN_RATE)), 6),
    openedAt,
    stopLoss: roundSig(entry - sign * 1.5 * atr, 6),
    takeProfit: roundSig(entry + sign * 3 * atr, 6),
  };
}

/** Cycle BENCH_CYCLE of the replay: every bundled symbol, a long BTCUSDT and a short SOLUSDT. */
export async function benchInput(): Promise<DecisionInput> {
  const source = new ReplayMarketData();
  const now = source.window().firstMarketTime + (BENCH_CYCLE - 1) * REPLAY_BAR_MS;
  const market = await Promise.all(source.symbols().map(async (s) => (await fetchSymbolSnapshot(source, s, now)).snapshot));
  const bySymbol = (s: string) => market.find((m) => m.symbol === s)!;
  const positions = [
    await position(source, bySymbol('BTCUSDT'), now, { side: 'long', quantity: 0.1, leverage: 5, heldMs: 2 * HOUR }),
    await position(source, bySymbol('SOLUSDT'), now, { side: 'short', quantity: 100, leverage: 3, heldMs: 6 * 60_000 }),
  ];
  const marginUsed = positions.reduce((sum, p) => sum + p.margin, 0);
  const unrealizedPnl = positions.reduce((sum, p) => sum + p.unrealizedPnl, 0);
  const cash = 10_000 + FEEDBACK.totalPnl - marginUsed;
  const account = { equity: cash + marginUsed + unrealizedPnl, available: cash, marginUsed, unrealizedPnl };
  // The day began a little higher, the peak was before the losing trades, DOGEUSDT's stop fired 14 min ago.
  const history = {
    dayStartEquity: 10_020,
    dayLowEquity: 9_931.4,
    peakEquity: 10_264.5,
    lastStopLossAt: { DOGEUSDT: now - 14 * 60_000 },
    opensLastHour: 1,
  };
  return {
    agentId: 'bench',
    cycleNo: BENCH_CYCLE,
    marketTime: now,
    account,
    positions,
    market,
    risk: BENCH_RISK,
    tradingStyle: 'balanced',
    feedback: FEEDBACK,
    takerFeeRate: BENCH_TAKER_FEE,
    limitsState: limitsState({ now, account, positions, risk: BENCH_RISK, history }),
  };
}

// ---- the seed's layout (000 §2.3), carrying every field of the lean prompt at the same precision ----

const usd = (x: number | null) => (x === null ? 'N/A' : `$${x >= 0 ? '' : '-'}${fmtUsd(Math.abs(x))}`);
const signedUsd = (x: number) => `${x >= 0 ? '+' : '-'}$${fmtUsd(Math.abs(x))}`;
const price = (x: number | null) => (x === null ? 'N/A' : `$${fmtPrice(x)}`);
const signedPct = (x: number | null, decimals: number) => (x === null ? 'N/A' : `${x >= 0 ? '+' : ''}${fmtFixed(x, decimals)}%`);
const plain = (x: number | null, digits: number) => (x === null ? 'N/A' : fmtSig(x, digits));

function seedPosition(p: PositionView, now: number): string[] {
  return [
    `  Symbol: ${p.symbol}`,
    `  Side: ${p.side.toUpperCase()}`,
    `  Quantity: ${fmtSig(p.quantity, 6)}`,
    `  Entry Price: ${price(p.entryPrice)}`,
    `  Mark Price: ${price(p.markPrice)}`,
    `  Unrealized PnL: ${signedUsd(p.unrealizedPnl)} (${signedPct((p.unrealizedPnl / p.margin) * 100, 1)})`,
    `  Leverage: ${p.leverage}x`,
    `  Liquidation Price: ${price(p.liquidationPrice)}`,
    `  Stop Loss: ${price(p.stopLoss)}`,
    `  Take Profit: ${price(p.takeProfit)}`,
    `  Holding Time: ${fmtDuration(now - p.openedAt)}`,
  ];
}

function seedPerformance(f: PerformanceFeedback): string[] {
  return [
    `  Total Trades: ${f.tradeCount}`,
    `  Win Rate: ${f.winRate === null ? 'N/A' : `${fmtFixed(f.winRate * 100, 1)}%`}`,
    `  Total PnL: ${signedUsd(f.totalPnl)}`,
    `  Best Symbol: ${f.bestSymbol ? `${f.bestSymbol.symbol} (${signedUsd(f.bestSymbol.pnl)})` : 'N/A'}`,
    `  Worst Symbol: ${f.worstSymbol ? `${f.worstSymbol.symbol} (${signedUsd(f.worstSymbol.pnl)})` : 'N/A'}`,
    '  Recent Trades:',
    ...f.recentTrades.flatMap((t) => [
      `    Symbol: ${t.symbol}`,
      `    Side: ${t.side.toUpperCase()}`,
      `    PnL: ${signedUsd(t.pnl)}`,
      `    Return on Margin: ${signedPct(t.returnOnMarginPct, 1)}`,
      `    Close Reason: ${t.closeReason ?? 'N/A'}`,
      `    Holding Time: ${fmtDuration(t.holdMinutes * 60_000)}`,
    ]),
    '  Recent Decisions:',
    ...f.recentDecisions.flatMap((d) => [`    Cycle ${d.cycle}: ${d.summary}`, ...(d.rejections ?? []).map((r) => `      Rejected: ${r}`)]),
  ];
}

function seedLimits(s: LimitsState, input: DecisionInput): string[] {
  const risk = withRiskDefaults(input.risk);
  return [
    `  Daily PnL: ${signedUsd(s.dayPnl)} (${signedPct(s.dayPnlPct, 1)}, low ${signedPct(-s.dayLossPct, 1)}; limit -${risk.maxDailyLossPct}%)`,
    `  Drawdown: ${fmtFixed(s.drawdownPct, 1)}% (lock ${risk.maxDrawdownPct}%)`,
    `  Positions: ${input.positions.length}/${risk.maxPositions}`,
    `  Opens This Hour: ${s.opensLastHour}/${risk.maxOpensPerHour}`,
    `  Stop-Loss Cooldowns: ${s.cooldowns.map((c) => `${c.symbol} ${c.minutesLeft} min left`).join(', ') || 'none'}`,
    `  Free Margin: ${usd(s.freeMargin)} USDT (max per open ${usd(s.maxOpenMargin)} USDT)`,
  ];
}

function seedCoin(s: SymbolSnapshot): string[] {
  return [
    `  Symbol: ${s.symbol}`,
    `  Price: ${price(s.price)}`,
    `  1h Change: ${signedPct(s.change1hPct, 2)}`,
    `  4h Change: ${signedPct(s.change4hPct, 2)}`,
    `  RSI(7): ${fmtFixed(s.tf3m.rsi7, 1)}`,
    `  MACD: ${plain(s.tf3m.macd, 4)}`,
    `  Histogram: ${plain(s.tf3m.macdHist, 4)}`,
    `  EMA20: ${price(s.tf3m.ema20)}`,
    `  4h RSI(14): ${fmtFixed(s.tf4h.rsi14, 1)}`,
    `  4h EMA20: ${price(s.tf4h.ema20)}`,
    `  4h EMA50: ${price(s.tf4h.ema50)}`,
    `  4h ATR: ${plain(s.tf4h.atr14, 4)}`,
    `  4h Trend: ${s.tf4h.trend}`,
    `  Funding Rate: ${s.fundingRate === null ? 'N/A' : `${fmtSig(s.fundingRate * 100, 3)}% per ${s.fundingIntervalHours}h`}`,
    ...(s.openInterest === null ? [] : [`  Open Interest: ${fmtSig(s.openInterest, 3)}`]),
    `  Volume: ${fmtSig(s.volume3m, 3)}`,
    `  3m Closes: ${s.tf3m.closes.map(fmtPrice).join(', ')}`,
    '',
  ];
}

/** The account, positions, record and market data in the seed's layout. */
export function seedDataBlock(input: DecisionInput): string {
  const a = input.account;
  return [
    `TIME: ${fmtTime(input.marketTime)} (cycle ${input.cycleNo})`,
    '',
    'ACCOUNT STATUS:',
    `- Balance: ${usd(a.equity)} USDT`,
    `- Available: ${usd(a.available)} USDT`,
    `- Margin Used: ${usd(a.marginUsed)} USDT (${fmtFixed((a.marginUsed / a.equity) * 100, 1)}%)`,
    `- Unrealized PnL: ${signedUsd(a.unrealizedPnl)} USDT`,
    ...(input.limitsState ? ['- Limits:', ...seedLimits(input.limitsState, input)] : []),
    '- Positions:',
    ...input.positions.flatMap((p) => seedPosition(p, input.marketTime)),
    '- Performance:',
    ...(input.feedback ? seedPerformance(input.feedback) : ['  N/A']),
    '',
    'MARKET DATA:',
    ...input.market.flatMap(seedCoin),
  ].join('\n');
}

/** The whole seed-layout prompt: role, data, trading rules (the same limits, style and sections), output format. */
export function seedPrompt(input: DecisionInput, settings: PromptSettings): string {
  const limits = limitsText(withRiskDefaults(input.risk))
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^- /, ''));
  const example = {
    decisions: [
      {
        action: 'open_long | open_short | close | hold | wait',
        symbol: 'BTCUSDT',
        size_usd: 1000,
        quantity: 0.001,
        leverage: 10,
        stop_loss: 42000,
        take_profit: 46000,
        confidence: 0.75,
        reason: 'explanation',
      },
    ],
  };
  return [
    'You are a professional crypto futures trader on Aster DEX.',
    ...(input.takerFeeRate === undefined ? [] : [`Trading fee: ${fmtSig(input.takerFeeRate * 100, 3)}% per open and per close.`]),
    '',
    seedDataBlock(input),
    'TRADING RULES:',
    ...limits.map((l, i) => `${i + 1}. ${l}`),
    `${limits.length + 1}. Strategy: ${styleText(input.tradingStyle)}`,
    ...(settings.promptSections ?? []).map((s, i) => `${limits.length + 2 + i}. ${s}`),
    '',
    'OUTPUT FORMAT:',
    JSON.stringify({ reasoning: 'chain of thought', ...example }, null, 2),
  ].join('\n');
}

async function main(): Promise<void> {
  const input = await benchInput();
  const lean = buildPrompt(input, BENCH_SETTINGS);
  const leanUser = estimateTokens(lean.user);
  const leanAll = estimateTokens(lean.system) + leanUser;
  const seedData = estimateTokens(seedDataBlock(input));
  const seedAll = estimateTokens(seedPrompt(input, BENCH_SETTINGS));
  const line = (label: string, a: number, b: number) =>
    `${label.padEnd(34)}${String(a).padStart(7)}${String(b).padStart(7)}   1/${(b / a).toFixed(2)}`;
  console.log(
    `cycle ${BENCH_CYCLE} at ${fmtTime(input.marketTime)}: ${input.market.length} symbols, ` +
      `${input.positions.length} positions, ${input.feedback!.recentTrades.length} trades; tokens (${TOKEN_ENCODING})`,
  );
  console.log(`${''.padEnd(34)}${'lean'.padStart(7)}${'seed'.padStart(7)}   lean/seed`);
  console.log(line('data (user message / data block)', leanUser, seedData));
  console.log(line('whole prompt (system + user)', leanAll, seedAll));
  console.log(`lean system message: ${estimateTokens(lean.system)} tokens`);
  if (process.argv.includes('--print'))
    console.log(
      `\n--- lean system ---\n${lean.system}\n\n--- lean user ---\n${lean.user}\n\n--- seed ---\n${seedPrompt(input, BENCH_SETTINGS)}`,
    );
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
