import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { aggregateBars } from './bars';
import { INTERVAL_MS, type Candle, type FundingRate, type Interval, type MarketDataSource } from './types';

/** One replay cycle advances the market clock by one 3m bar. */
export const REPLAY_BAR_MS = INTERVAL_MS['3m'];
/** History the replay keeps before its first cycle, so 4h EMA50 / RSI14 / MACD are warmed up (72 4h bars). */
export const REPLAY_WARMUP_MS = 12 * 24 * 60 * 60_000;

/** The bundled 30 days of Binance perp candles and funding. */
export const BUNDLED_DATA_DIR = path.join(__dirname, '..', 'data');
const CANDLE_SUFFIXES = ['-3m.csv.gz', '-3m.csv'];
const FUNDING_SUFFIX = '-funding-8h.csv';
const CANDLE_HEADER = 'open_time_ms,open,high,low,close,volume';
const FUNDING_HEADER = 'funding_time_ms,funding_rate';

export class ReplayEndedError extends Error {
  override name = 'ReplayEnded';
  constructor(
    readonly marketTime: number,
    readonly lastMarketTime: number,
  ) {
    super(
      `Replay ended: the arena clock is at ${new Date(marketTime).toISOString()}, ` +
        `after the last replayed bar closes at ${new Date(lastMarketTime).toISOString()}`,
    );
  }
}

export interface ReplayWindow {
  /** The first bar a replay trades at: close of the first 3m bar with REPLAY_WARMUP_MS of history before it. */
  firstMarketTime: number;
  /** Close time of the last bundled 3m bar. */
  lastMarketTime: number;
  /** Number of bars the replay can trade at. */
  cycles: number;
}

const openTimeOf = (c: Candle) => c.openTime;
const timeOf = (f: FundingRate) => f.time;

/**
 * One data folder in the documented layout (see data/SOURCE.md): `candles/{SYMBOL}-3m.csv` or
 * `.csv.gz` with header `open_time_ms,open,high,low,close,volume`, and `funding/{SYMBOL}-funding-8h.csv`
 * with header `funding_time_ms,funding_rate` (a symbol without a funding file has no funding). Read
 * lazily, once per folder and process.
 */
class ReplayData {
  private symbolList: readonly string[] | undefined;
  private readonly candles = new Map<string, Candle[]>();
  private readonly funding = new Map<string, FundingRate[]>();
  private readonly aggregates = new Map<string, Candle[]>();
  private windowCache: ReplayWindow | undefined;

  constructor(readonly dir: string) {}

  symbols(): readonly string[] {
    if (!this.symbolList) {
      const folder = path.join(this.dir, 'candles');
      if (!existsSync(folder)) throw new Error(`replay data: no folder ${folder} (expected candles/{SYMBOL}-3m.csv or .csv.gz)`);
      const names = readdirSync(folder).flatMap((f) => {
        const suffix = CANDLE_SUFFIXES.find((s) => f.endsWith(s));
        return suffix ? [f.slice(0, -suffix.length)] : [];
      });
      this.symbolList = [...new Set(names)].sort();
      if (this.symbolList.length === 0) throw new Error(`replay data: no {SYMBOL}-3m.csv or .csv.gz file in ${folder}`);
    }
    return this.symbolList;
  }

  candleSeries(symbol: string): Candle[] {
    this.assertKnown(symbol);
    let bars = this.candles.get(symbol);
    if (!bars) {
      const file = CANDLE_SUFFIXES.map((suffix) => path.join(this.dir, 'candles', symbol + suffix)).find((f) => existsSync(f))!;
      const raw = readFileSync(file);
      const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
      // Frozen: the source hands out the same objects to every caller instead of copies.
      bars = parseCsv(text, CANDLE_HEADER, file, 6).map(([openTime, open, high, low, close, volume]) =>
        Object.freeze({
          openTime,
          open,
          high,
          low,
          close,
          volume,
        }),
      );
      if (bars.length === 0) throw new Error(`${file}: no bars`);
      assertIncreasing(bars.map(openTimeOf), file);
      this.candles.set(symbol, bars);
    }
    return bars;
  }

  fundingSeries(symbol: string): FundingRate[] {
    this.assertKnown(symbol);
    let rows = this.funding.get(symbol);
    if (!rows) {
      const file = path.join(this.dir, 'funding', `${symbol}${FUNDING_SUFFIX}`);
      rows = existsSync(file)
        ? parseCsv(readFileSync(file, 'utf8'), FUNDING_HEADER, file, 2).map(([time, rate]) => Object.freeze({ time, rate }))
        : [];
      assertIncreasing(rows.map(timeOf), file);
      this.funding.set(symbol, rows);
    }
    return rows;
  }

  /** Every bucket of `intervalMs` over the whole history, each aggregated from all its 3m bars. */
  buckets(symbol: string, intervalMs: number): Candle[] {
    const key = `${symbol}/${intervalMs}`;
    let buckets = this.aggregates.get(key);
    if (!buckets) this.aggregates.set(key, (buckets = aggregateBars(this.candleSeries(symbol), intervalMs).map((b) => Object.freeze(b))));
    return buckets;
  }

  window(): ReplayWindow {
    if (!this.windowCache) {
      const all = this.symbols().map((s) => this.candleSeries(s));
      // Symbols share timestamps; taking the common span keeps the clock valid for every one of them anyway.
      const firstOpen = Math.max(...all.map((bars) => bars[0]!.openTime));
      const lastOpen = Math.min(...all.map((bars) => bars[bars.length - 1]!.openTime));
      const firstCycleBarOpen = Math.ceil((firstOpen + REPLAY_WARMUP_MS) / REPLAY_BAR_MS) * REPLAY_BAR_MS;
      const firstMarketTime = firstCycleBarOpen + REPLAY_BAR_MS;
      const lastMarketTime = lastOpen + REPLAY_BAR_MS;
      if (firstMarketTime > lastMarketTime) {
        throw new Error(`replay data in ${this.dir} is shorter than the ${REPLAY_WARMUP_MS / 86_400_000}-day indicator warm-up`);
      }
      const cycles = Math.floor((lastMarketTime - firstMarketTime) / REPLAY_BAR_MS) + 1;
      this.windowCache = { firstMarketTime, lastMarketTime, cycles };
    }
    return this.windowCache;
  }

  private assertKnown(symbol: string): void {
    if (!this.symbols().includes(symbol)) {
      throw new Error(`Unknown replay symbol "${symbol}"; available in ${this.dir}: ${this.symbols().join(', ')}`);
    }
  }
}

const folders = new Map<string, ReplayData>();

function dataIn(dir: string): ReplayData {
  const resolved = path.resolve(dir);
  let data = folders.get(resolved);
  if (!data) folders.set(resolved, (data = new ReplayData(resolved)));
  return data;
}

function parseCsv(text: string, header: string, file: string, columns: number): number[][] {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines[0] !== header) throw new Error(`${file}: expected header "${header}", got "${lines[0]}"`);
  return lines.slice(1).map((line, i) => {
    const values = line.split(',').map(Number);
    if (values.length !== columns || values.some((v) => !Number.isFinite(v))) {
      throw new Error(`${file}: bad row ${i + 2}: "${line}"`);
    }
    return values;
  });
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

/** The replayable span of a data folder (default: the bundled data). */
export function replayWindow(dir: string = BUNDLED_DATA_DIR): ReplayWindow {
  return dataIn(dir).window();
}

// ---- data source ----

/** Serves a folder of perp history (the bundled data/ by default) as if the market clock were `asOf`. */
export class ReplayMarketData implements MarketDataSource {
  readonly kind = 'replay' as const;
  private readonly data: ReplayData;

  constructor(readonly dataDir: string = BUNDLED_DATA_DIR) {
    this.data = dataIn(dataDir);
  }

  symbols(): readonly string[] {
    return this.data.symbols();
  }

  window(): ReplayWindow {
    return this.data.window();
  }

  async candles(symbol: string, interval: Interval, asOf: number, limit: number): Promise<Candle[]> {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    const bars = this.data.candleSeries(symbol);
    const end = visibleEnd(bars, asOf);
    if (end === 0 || limit === 0) return [];
    if (interval === '3m') return bars.slice(Math.max(0, end - limit), end);

    // Buckets closed before the forming one never change: aggregated once per symbol, then sliced. The
    // forming bucket is built from the 3m bars closed so far, as a venue's kline endpoint shows it.
    const intervalMs = INTERVAL_MS[interval];
    const lastOpen = bars[end - 1]!.openTime;
    const formingOpen = lastOpen - (lastOpen % intervalMs);
    const buckets = this.data.buckets(symbol, intervalMs);
    const closedEnd = countUpTo(buckets, openTimeOf, formingOpen, false);
    const closed = buckets.slice(Math.max(0, closedEnd - (limit - 1)), closedEnd);
    const forming = aggregateBars(bars.slice(countUpTo(bars, openTimeOf, formingOpen, false), end), intervalMs);
    return [...closed, ...forming].slice(-limit);
  }

  async barsBetween(symbol: string, fromOpenTime: number, toOpenTime: number): Promise<Candle[]> {
    const bars = this.data.candleSeries(symbol);
    const start = countUpTo(bars, openTimeOf, fromOpenTime, false);
    const end = countUpTo(bars, openTimeOf, toOpenTime, true);
    return bars.slice(start, Math.max(start, end));
  }

  async fundingBetween(symbol: string, from: number, to: number): Promise<FundingRate[]> {
    const rows = this.data.fundingSeries(symbol);
    const start = countUpTo(rows, timeOf, from, true);
    const end = countUpTo(rows, timeOf, to, true);
    return rows.slice(start, Math.max(start, end));
  }

  async lastFunding(symbol: string, asOf: number): Promise<FundingRate | null> {
    const rows = this.data.fundingSeries(symbol);
    const i = countUpTo(rows, timeOf, asOf, true);
    return i > 0 ? rows[i - 1]! : null;
  }
}
