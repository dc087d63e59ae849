/**
 * The LLM prompt of one cycle. The system message holds what changes rarely (role, limits, style, custom
 * sections, reply format); the user message holds the cycle's data, token-lean: numbers rounded to what
 * matters, one header line per table and one row per item, no prose where a table does. The same input
 * always gives the same text (no clock, no locale).
 */
import { type ResolvedRiskLimits, withRiskDefaults } from '../../arena-config/types';
import { roundSig, type SymbolSnapshot } from '../../market/snapshot';
import type { PromptMessages } from '../llm/types';
import type { AccountView, DecisionInput, LimitsState, PerformanceFeedback, PositionView } from '../types';
import { styleText } from './styles';

export interface PromptSettings {
  /** Extra sections appended to the system message, in order (DecisionMakerConfig.promptSections). */
  promptSections?: string[];
}

export function buildPrompt(input: DecisionInput, settings: PromptSettings): PromptMessages {
  return { system: systemMessage(input, settings.promptSections ?? []), user: userMessage(input) };
}

// ---- numbers: rounded to meaningful precision, trailing zeros dropped, absent values as "-" ----

const NA = '-';
type Num = number | null | undefined;
const absent = (x: Num): x is null | undefined => x === null || x === undefined || !Number.isFinite(x);

/** `digits` significant figures: 29204.9, 0.0781. */
export function fmtSig(x: Num, digits: number): string {
  return absent(x) ? NA : String(roundSig(x, digits));
}

/** At most `decimals` decimals: 25 (not 25.0), -0.49. */
export function fmtFixed(x: Num, decimals: number): string {
  return absent(x) ? NA : String(Number(x.toFixed(decimals)));
}

/** Prices (and price levels: EMAs, entries, stops): 6 significant figures. */
export const fmtPrice = (x: Num): string => fmtSig(x, 6);
/** USDT amounts: 6 significant figures, at most cents. */
export const fmtUsd = (x: Num): string => (absent(x) ? NA : fmtFixed(roundSig(x, 6), 2));

/** Large counts in 3 significant figures with K/M/B: 13200900 -> 13.2M. */
export function fmtCompact(x: Num): string {
  if (absent(x)) return NA;
  const units: Array<[number, string]> = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  const unit = units.find(([size]) => Math.abs(x) >= size);
  return unit ? `${roundSig(x / unit[0], 3)}${unit[1]}` : String(roundSig(x, 3));
}

/** A duration in whole minutes: 45m, 2h15m, 3d4h. */
export function fmtDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days > 0) return `${days}d${hours}h`;
  return hours > 0 ? `${hours}h${minutes % 60}m` : `${minutes}m`;
}

/** 2023-07-30 21:15 UTC. */
export const fmtTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function table(title: string, header: string[], rows: string[][]): string {
  return [title, header.join('|'), ...rows.map((r) => r.join('|'))].join('\n');
}

// ---- system message ----

const ROLE =
  'You trade USDT-margined crypto perpetual futures (isolated margin) against other AI agents. Each cycle you get ' +
  'the market time, your account, open positions, market data per symbol and your recent record, and decide what ' +
  'to do now. Prices and amounts are in USDT.';

function roleText(takerFeeRate: number | undefined): string {
  if (absent(takerFeeRate)) return ROLE;
  return `${ROLE} Fees: ${fmtSig(takerFeeRate * 100, 3)}% of the position value on each open and each close.`;
}

/** The agent's limits, compactly. The risk engine enforces every one; the model only needs to know them. */
export function limitsText(risk: ResolvedRiskLimits): string {
  const majors = risk.majorSymbols.join('/');
  const majorLev = Math.floor(Math.min(risk.maxLeverage, risk.majorMaxLeverage));
  const altLev = Math.floor(Math.min(risk.maxLeverage, risk.altcoinMaxLeverage));
  const byClass = (major: string, alt: string) => (majors && major !== alt ? `${major} for ${majors}, ${alt} for others` : alt);
  const noNew = [`a ${risk.maxDailyLossPct}% loss in the UTC day`];
  if (risk.maxDrawdownPct < 100) noNew.push(`equity ${risk.maxDrawdownPct}% below its peak`);
  const lines = [
    `- at most ${risk.maxPositions} positions, ${risk.onePositionPerSymbol ? 'one per symbol' : 'one per symbol and side'}, ` +
      `never added to; at most ${risk.maxOpensPerHour} opens per hour`,
    `- leverage (default 1x): at most ${byClass(`${majorLev}x`, `${altLev}x`)}`,
    `- margin: one position <= ${risk.maxPositionSizePct}% of equity, all positions <= ${risk.maxTotalPositionPct}%, ` +
      `margin in use <= ${risk.maxMarginUsagePct}%; one trade's margin + fee <= ${risk.maxSingleTradePct}% of available ` +
      `(${risk.maxSingleTradeWithPositionsPct}% with positions open)`,
    `- position value: at most ${byClass(`${risk.majorMaxNotionalMultiple}x equity`, `${risk.altcoinMaxNotionalMultiple}x`)}`,
    `- every open gets a stop-loss and a take-profit on the right sides of the price` +
      (risk.minRiskReward > 0 ? `, reward/risk >= ${risk.minRiskReward}` : '') +
      ` (when omitted: stop ${risk.stopLossPct}%, target ${risk.takeProfitPct}% from the price)`,
    `- no new positions after ${noNew.join(' or ')}` +
      (risk.stopLossCooldownMinutes > 0 ? `, nor in a symbol for ${risk.stopLossCooldownMinutes} min after a stop-loss there` : ''),
  ];
  if (risk.minHoldingMinutes > 0) lines.push(`- a position younger than ${risk.minHoldingMinutes} min cannot be closed`);
  return [
    'Limits (enforced in code after your reply: oversized opens are cut down, other breaches refused; do not spend words on them):',
    ...lines,
  ].join('\n');
}

/** THE reply format (decisions/llm/types.ts): the parser reads exactly these field names. */
export const REPLY_FORMAT = [
  'Reply with one JSON object and nothing else:',
  '{"reasoning": string, "decisions": [{"action": string, "symbol": string, "size_usd": number, "quantity": number, ' +
    '"leverage": number, "stop_loss": number, "take_profit": number, "confidence": number, "reason": string}]}',
  '- reasoning: your analysis, a few sentences',
  '- action: open_long | open_short | close | hold | wait',
  '- open_long, open_short: symbol; size_usd (position value in USDT = margin x leverage) or quantity (base units), ' +
    'not both; leverage; stop_loss and take_profit (prices); confidence (0 to 1); reason',
  '- close (the whole position), hold (keep it): symbol, reason',
  '- nothing to do: "decisions": [{"action": "wait", "reason": string}]',
  'Leave out fields that do not apply; numbers are plain JSON numbers, no units.',
].join('\n');

function systemMessage(input: DecisionInput, sections: string[]): string {
  return [
    roleText(input.takerFeeRate),
    limitsText(withRiskDefaults(input.risk)),
    styleText(input.tradingStyle),
    ...sections.map((s) => s.trim()).filter((s) => s.length > 0),
    REPLY_FORMAT,
  ].join('\n\n');
}

// ---- user message ----

function accountLine(a: AccountView): string {
  const use = a.equity > 0 ? ` (${fmtFixed((a.marginUsed / a.equity) * 100, 1)}% of equity)` : '';
  return (
    `Account: equity ${fmtUsd(a.equity)}, available ${fmtUsd(a.available)}, margin ${fmtUsd(a.marginUsed)}${use}, ` +
    `upnl ${fmtUsd(a.unrealizedPnl)}`
  );
}

/** How close the account is to the limits that stop new positions, and the margin left for them. */
function limitsLine(state: LimitsState, risk: ResolvedRiskLimits, positions: number): string {
  // The breaker counts the day's low: shown when it is below where the day stands now.
  const low =
    state.dayLossPct > 0 && fmtFixed(-state.dayLossPct, 1) !== fmtFixed(state.dayPnlPct, 1)
      ? `, low ${fmtFixed(-state.dayLossPct, 1)}%`
      : '';
  const dayLimit =
    `limit -${risk.maxDailyLossPct}%` + (state.dayLossPct >= risk.maxDailyLossPct ? ' hit: no new positions until 00:00 UTC' : '');
  const parts = [`day pnl ${fmtUsd(state.dayPnl)} (${fmtFixed(state.dayPnlPct, 1)}%${low}; ${dayLimit})`];
  if (risk.maxDrawdownPct < 100) {
    const lock = `lock ${risk.maxDrawdownPct}%${state.drawdownPct >= risk.maxDrawdownPct ? ' hit: no new positions' : ''}`;
    parts.push(`drawdown ${fmtFixed(state.drawdownPct, 1)}% (${lock})`);
  }
  parts.push(`positions ${positions}/${risk.maxPositions}`, `opens this hour ${state.opensLastHour}/${risk.maxOpensPerHour}`);
  if (state.cooldowns.length > 0) {
    parts.push(`stop-loss cooldown ${state.cooldowns.map((c) => `${c.symbol} ${fmtDuration(c.minutesLeft * 60_000)}`).join(', ')}`);
  }
  parts.push(`free margin ${fmtUsd(state.freeMargin)} (one open <= ${fmtUsd(state.maxOpenMargin)})`);
  return `Limits now: ${parts.join(', ')}`;
}

function positionsTable(positions: PositionView[], now: number): string {
  if (positions.length === 0) return 'Positions: none';
  return table(
    'Positions (upnl% on margin):',
    ['symbol', 'side', 'qty', 'entry', 'mark', 'upnl', 'upnl%', 'lev', 'liq', 'sl', 'tp', 'held'],
    positions.map((p) => [
      p.symbol,
      p.side,
      fmtSig(p.quantity, 6),
      fmtPrice(p.entryPrice),
      fmtPrice(p.markPrice),
      fmtUsd(p.unrealizedPnl),
      p.margin > 0 ? fmtFixed((p.unrealizedPnl / p.margin) * 100, 1) : NA,
      `${p.leverage}x`,
      fmtPrice(p.liquidationPrice),
      fmtPrice(p.stopLoss),
      fmtPrice(p.takeProfit),
      fmtDuration(now - p.openedAt),
    ]),
  );
}

/**
 * The funding column: one interval for all in the title when the symbols settle alike ("funding % per 8h"),
 * else each rate with its own ("0.01/4h"); no interval where the snapshot does not know it (older records).
 */
function fundingColumn(market: SymbolSnapshot[]): { title: string; cell: (s: SymbolSnapshot) => string } {
  const rate = (s: SymbolSnapshot) => (s.fundingRate === null ? NA : fmtSig(s.fundingRate * 100, 3));
  const intervals = new Set(market.map((s) => s.fundingIntervalHours));
  const [only] = intervals;
  if (intervals.size === 1) return { title: only === undefined ? 'funding % per settlement' : `funding % per ${only}h`, cell: rate };
  return {
    title: 'funding % per settlement/its interval',
    cell: (s) => (s.fundingRate === null || s.fundingIntervalHours === undefined ? rate(s) : `${rate(s)}/${s.fundingIntervalHours}h`),
  };
}

function marketTable(market: SymbolSnapshot[]): string {
  const funding = fundingColumn(market);
  // A source without open interest (the bundled replay, Aster) gets no column rather than a column of "-".
  const withOi = market.some((s) => s.openInterest !== null);
  return table(
    `Market (chg = price change %; _3m, _4h = on 3-minute, 4-hour bars; ${funding.title}; ${withOi ? 'oi, ' : ''}vol3m in base units):`,
    [
      'symbol',
      'price',
      'chg1h',
      'chg4h',
      'rsi7_3m',
      'macd_3m',
      'hist_3m',
      'ema20_3m',
      'rsi14_4h',
      'ema20_4h',
      'ema50_4h',
      'atr14_4h',
      'trend_4h',
      'funding',
      ...(withOi ? ['oi'] : []),
      'vol3m',
    ],
    market.map((s) => [
      s.symbol,
      fmtPrice(s.price),
      fmtFixed(s.change1hPct, 2),
      fmtFixed(s.change4hPct, 2),
      fmtFixed(s.tf3m.rsi7, 1),
      fmtSig(s.tf3m.macd, 4),
      fmtSig(s.tf3m.macdHist, 4),
      fmtPrice(s.tf3m.ema20),
      fmtFixed(s.tf4h.rsi14, 1),
      fmtPrice(s.tf4h.ema20),
      fmtPrice(s.tf4h.ema50),
      fmtSig(s.tf4h.atr14, 4),
      s.tf4h.trend,
      funding.cell(s),
      ...(withOi ? [fmtCompact(s.openInterest)] : []),
      fmtCompact(s.volume3m),
    ]),
  );
}

function closesTable(market: SymbolSnapshot[]): string {
  return ['3m closes, oldest to newest:', ...market.map((s) => [s.symbol, ...s.tf3m.closes.map(fmtPrice)].join(' '))].join('\n');
}

function feedbackText(f: PerformanceFeedback): string {
  const parts: string[] = [];
  if (f.tradeCount === 0) {
    parts.push('Your record: no closed trades yet');
  } else {
    const extremes = [
      f.bestSymbol ? `best ${f.bestSymbol.symbol} ${fmtUsd(f.bestSymbol.pnl)}` : null,
      f.worstSymbol ? `worst ${f.worstSymbol.symbol} ${fmtUsd(f.worstSymbol.pnl)}` : null,
    ].filter((x): x is string => x !== null);
    const winRate = f.winRate === null ? NA : `${fmtFixed(f.winRate * 100, 1)}%`;
    parts.push(
      `Your record: ${f.tradeCount} closed trades, win rate ${winRate}, pnl ${fmtUsd(f.totalPnl)}` +
        (extremes.length ? `; ${extremes.join(', ')}` : ''),
    );
  }
  if (f.recentTrades.length > 0) {
    parts.push(
      table(
        'Last trades, newest first (pnl after fees and funding; ret% on margin):',
        ['symbol', 'side', 'pnl', 'ret%', 'exit', 'held'],
        f.recentTrades.map((t) => [
          t.symbol,
          t.side,
          fmtUsd(t.pnl),
          fmtFixed(t.returnOnMarginPct, 1),
          t.closeReason ?? NA,
          fmtDuration(t.holdMinutes * 60_000),
        ]),
      ),
    );
  }
  if (f.recentDecisions.length > 0) {
    parts.push(
      [
        'Last cycles, newest first:',
        ...f.recentDecisions.flatMap((d) => [`${d.cycle} ${d.summary}`, ...refusalLines(d.rejections ?? [])]),
      ].join('\n'),
    );
  }
  return parts.join('\n');
}

const REFUSALS_PER_CYCLE = 3;
/** A longer refusal loses its middle: it starts with the decision and ends with the rule's name (max_opens_per_hour). */
const REFUSAL_CHARS = 240;
const REFUSAL_TAIL_CHARS = 60;

/** " refused open_long BTCUSDT: <why, and the rule>", one line per rejected decision. */
function refusalLines(rejections: string[]): string[] {
  const shortened = (r: string) =>
    r.length <= REFUSAL_CHARS ? r : `${r.slice(0, REFUSAL_CHARS - REFUSAL_TAIL_CHARS - 1)}…${r.slice(-REFUSAL_TAIL_CHARS)}`;
  const lines = rejections.slice(0, REFUSALS_PER_CYCLE).map((r) => ` refused ${shortened(r)}`);
  const more = rejections.length - REFUSALS_PER_CYCLE;
  return more > 0 ? [...lines, ` and ${more} more refused`] : lines;
}

function userMessage(input: DecisionInput): string {
  const risk = withRiskDefaults(input.risk);
  const sections = [
    `Time ${fmtTime(input.marketTime)}, cycle ${input.cycleNo}`,
    input.limitsState
      ? `${accountLine(input.account)}\n${limitsLine(input.limitsState, risk, input.positions.length)}`
      : accountLine(input.account),
    positionsTable(input.positions, input.marketTime),
    marketTable(input.market),
    closesTable(input.market),
  ];
  if (input.feedback) sections.push(feedbackText(input.feedback));
  return sections.join('\n\n');
}
