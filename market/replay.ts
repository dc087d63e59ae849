import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { aggregateBars } from './bars';
import { INTERVAL_MS, type Candle, type FundingRate, type Interval, type MarketDataSource } from './types';

/** One replay cycle advances the market clock by one 3m bar. */
export const REPLAY_BAR_MS = INTERVAL_MS['3m'];
/** History the replay keeps before its first cycle, so 4h EMA50 / RSI14 / MACD are warmed up (72 4h bars). */
export const REPLAY_WARMUP_MS = 12 * 24 * 60 * 60_000;

const DATA_DIR = path.join(__dirname, '..', 'data');
const CANDLE_SUFFIX = '-3m.csv.gz';
const CANDLE_HEADER = 'open_time_ms,open,high,low,close,volume';
const FUNDING_HEADER = 'funding_time_ms,funding_rate';

export class ReplayEndedError extends Error {
  override name = 'ReplayEnded';
  constructor(readonly cycleNo: number, readonly lastMarketTime: number) {
    super(
      `Replay ended: cycle ${cycleNo} would be at ${new Date(marketTimeUnchecked(cycleNo)).toISOString()}, ` +
        `after the last bundled bar closes at ${new Date(lastMarketTime).toISOString()}`,
    );
  }
}

export interface ReplayWindow {
  /** Market time of cycle 1: close of the first 3m bar with REPLAY_WARMUP_MS of history before it. */
  firstMarketTime: number;
  /** Close time of the last bundled 3m bar. */
  lastMarketTime: number;
  /** Number of cycles the replay can run (cycle `cycles` is at lastMarketTime or just before it). */
  cycles: number;
}

// ---- lazy, process-wide data cache ----

const openTimeOf = (c: Candle) => c.openTime;
const timeOf = (f: FundingRate) => f.time;

let symbolList: readonly string[] | undefined;
const candleCache = new Map<string, Candle[]>();
const fundingCache = new Map<string, FundingRate[]>();
let windowCache: ReplayWindow | undefined;

function availableSymbols(): readonly string[] {
  symbolList ??= readdirSync(path.join(DATA_DIR, 'candles'))
    .filter((f) => f.endsWith(CANDLE_SUFFIX))
    .map((f) => f.slice(0, -CANDLE_SUFFIX.length))
    .sort();
  return symbolList;
}

function assertKnownSymbol(symbol: string): void {
  if (!availableSymbols().includes(symbol)) {
    throw new Error(`Unknown replay symbol "${symbol}"; available: ${availableSymbols().join(', ')}`);
  }
}

function parseCsv(text: string, header: string, file: string, columns: number): number[][] {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  if (lines[0] !== header) throw new Error(`${file}: expected header "${header}", got "${lines[0]}"`);
  return lines.slice(1).map((line, i) => {
    const values = line.split(',').map(Number);
    if (values.length !== columns || values.some((v) => !Number.isFinite(v))) {
      throw new Error(`${file}: bad row ${i + 2}: "${line}"`);
    }
    return values;
  });
}

function candleSeries(symbol: string): Candle[] {
  assertKnownSymbol(symbol);
  let bars = candleCache.get(symbol);
  if (!bars) {
    const file = path.join(DATA_DIR, 'candles', symbol + CANDLE_SUFFIX);
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    bars = parseCsv(text, CANDLE_HEADER, file, 6).map(([openTime, open, high, low, close, volume]) => ({
      openTime, open, high, low, close, volume,
    }));
    if (bars.length === 0) throw new Error(`${file}: no bars`);
    assertIncreasing(bars.map(openTimeOf), file);
    candleCache.set(symbol, bars);
  }
  return bars;
}

function fundingSeries(symbol: string): FundingRate[] {
  assertKnownSymbol(symbol);
  let rows = fundingCache.get(symbol);
  if (!rows) {
    const file = path.join(DATA_DIR, 'funding', `${symbol}-funding-8h.csv`);
    rows = parseCsv(readFileSync(file, 'utf8'), FUNDING_HEADER, file, 2).map(([time, rate]) => ({ time, rate }));
    assertIncreasing(rows.map(timeOf), file);
    fundingCache.set(symbol, rows);
  }
  return rows;
}

/** Throws unless the timestamps strictly increase, which the binary searches rely on. */
function assertIncreasing(times: readonly number[], file: string): void {
  const i = times.findIndex((t, k) => k > 0 && t <= times[k - 1]!);
  if (i > 0) throw new Error(`${file}: timestamps not strictly increasing at row ${i + 2}`);
}

/** Number of leading items whose key is < t (or <= t when `inclusive`); items must be sorted by key. */
function countUpTo<T>(items: readonly T[], key: (item: T) => number, t: number, inclusive: boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = key(items[mid]!);
    if (k < t || (inclusive && k === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index one past the last 3m bar closed at `asOf` (openTime + 3m <= asOf). */
function visibleEnd(bars: readonly Candle[], asOf: number): number {
  return countUpTo(bars, openTimeOf, asOf - REPLAY_BAR_MS, true);
}

// ---- replay clock ----

export function replayWindow(): ReplayWindow {
  if (!windowCache) {
    const all = availableSymbols().map(candleSeries);
    if (all.length === 0) throw new Error(`No bundled candles in ${path.join(DATA_DIR, 'candles')}`);
    // Symbols share timestamps; taking the common span keeps the clock valid for every one of them anyway.
    const firstOpen = Math.max(...all.map((bars) => bars[0]!.openTime));
    const lastOpen = Math.min(...all.map((bars) => bars[bars.length - 1]!.openTime));
    const firstCycleBarOpen = Math.ceil((firstOpen + REPLAY_WARMUP_MS) / REPLAY_BAR_MS) * REPLAY_BAR_MS;
    const firstMarketTime = firstCycleBarOpen + REPLAY_BAR_MS;
    const lastMarketTime = lastOpen + REPLAY_BAR_MS;
    if (firstMarketTime > lastMarketTime) throw new Error('Bundled candles are shorter than the replay warm-up');
    const cycles = Math.floor((lastMarketTime - firstMarketTime) / REPLAY_BAR_MS) + 1;
    windowCache = { firstMarketTime, lastMarketTime, cycles };
  }
  return windowCache;
}

function marketTimeUnchecked(cycleNo: number): number {
  return replayWindow().firstMarketTime + (cycleNo - 1) * REPLAY_BAR_MS;
}

/** Market clock of replay cycle `cycleNo` (1-based); throws ReplayEndedError past the last bundled bar. */
export function marketTimeForCycle(cycleNo: number): number {
  if (!Number.isInteger(cycleNo) || cycleNo < 1) throw new RangeError(`cycleNo must be an integer >= 1, got ${cycleNo}`);
  const t = marketTimeUnchecked(cycleNo);
  const { lastMarketTime } = replayWindow();
  if (t > lastMarketTime) throw new ReplayEndedError(cycleNo, lastMarketTime);
  return t;
}

// ---- data source ----

/** Serves the bundled Binance perp history (data/) as if the market clock were `asOf`. */
export class ReplayMarketData implements MarketDataSource {
  readonly kind = 'replay' as const;

  symbols(): readonly string[] {
    return availableSymbols();
  }

  async candles(symbol: string, interval: Interval, asOf: number, limit: number): Promise<Candle[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    const bars = candleSeries(symbol);
    const end = visibleEnd(bars, asOf);
    if (end === 0 || limit === 0) return [];
    if (interval === '3m') return bars.slice(Math.max(0, end - limit), end).map((c) => ({ ...c }));

    const intervalMs = INTERVAL_MS[interval];
    const lastOpen = bars[end - 1]!.openTime;
    const firstBucketOpen = lastOpen - (lastOpen % intervalMs) - (limit - 1) * intervalMs;
    const start = countUpTo(bars, openTimeOf, firstBucketOpen, false);
    return aggregateBars(bars.slice(start, end), intervalMs).slice(-limit);
  }

  async barsBetween(symbol: string, fromOpenTime: number, toOpenTime: number): Promise<Candle[]> {
    const bars = candleSeries(symbol);
    const start = countUpTo(bars, openTimeOf, fromOpenTime, false);
    const end = countUpTo(bars, openTimeOf, toOpenTime, true);
    return bars.slice(start, Math.max(start, end)).map((c) => ({ ...c }));
  }

  async fundingBetween(symbol: string, from: number, to: number): Promise<FundingRate[]> {
    const rows = fundingSeries(symbol);
    const start = countUpTo(rows, timeOf, from, true);
    const end = countUpTo(rows, timeOf, to, true);
    return rows.slice(start, Math.max(start, end)).map((f) => ({ ...f }));
  }

  async lastFunding(symbol: string, asOf: number): Promise<FundingRate | null> {
    const rows = fundingSeries(symbol);
    const i = countUpTo(rows, timeOf, asOf, true);
    return i > 0 ? { ...rows[i - 1]! } : null;
  }
}
