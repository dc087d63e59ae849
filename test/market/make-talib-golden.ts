/**
 * Writes test/market/talib-golden.json.gz: outputs of the real TA-Lib (C) on the bundled BTCUSDT / ETHUSDT candles,
 * read by indicators.test.ts. Not a test; run by hand with a working build of the npm `talib` package:
 *
 *   TALIB_MODULE=/path/to/talib npx tsx test/market/make-talib-golden.ts
 *
 * `npm install talib@2.0.5` fails on Linux: its tarball ships macOS arm64 objects (src/lib/temp/csr/*.o,
 * src/lib/lib/*.a, build/Release/talib.node) that make treats as up to date, so the link fails with "archive has no
 * index". It builds out of the tree after deleting them:
 *   npm pack talib@2.0.5 && tar xzf talib-2.0.5.tgz && cd package && npm install --ignore-scripts --no-save
 *   rm -rf build src/lib/temp/csr/*.o src/lib/lib/*.a && (cd src/lib/make/csr/linux/g++ && make)
 *   npx node-gyp configure build
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { aggregateBars } from '../../market/bars';
import { ReplayMarketData } from '../../market/replay';
import { INTERVAL_MS, type Candle } from '../../market/types';

export const GOLDEN_FILE = path.join(__dirname, 'talib-golden.json.gz');
export const GOLDEN_SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
/** How many trailing outputs are stored for the full 3m series (14,399 bars); shorter inputs are stored whole. */
const FULL_3M_TAIL = 100;

export type GoldenInput = '3m' | '4h' | '3m-last100';

export interface GoldenOutput {
  begIdx: number;
  /** Number of outputs TA-Lib produced; `values` holds the last `values.length` of them. */
  count: number;
  values: number[];
}

export interface GoldenCase {
  symbol: string;
  input: GoldenInput;
  bars: number;
  firstOpenTime: number;
  lastOpenTime: number;
  outputs: Record<string, GoldenOutput>;
}

export interface GoldenFile {
  talib: string;
  cases: GoldenCase[];
}

export async function goldenInputs(symbol: string): Promise<Record<GoldenInput, Candle[]>> {
  const bars3m = await new ReplayMarketData().barsBetween(symbol, 0, Number.MAX_SAFE_INTEGER);
  return { '3m': bars3m, '4h': aggregateBars(bars3m, INTERVAL_MS['4h']), '3m-last100': bars3m.slice(-100) };
}

async function main(): Promise<void> {
  const modulePath = process.env.TALIB_MODULE;
  if (!modulePath) throw new Error('Set TALIB_MODULE to a built talib package directory');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a package built by hand, found at run time
  const talib = require(path.resolve(modulePath)) as {
    execute(params: object): { begIndex: number; nbElement: number; result: Record<string, number[]> };
  };

  const cases: GoldenCase[] = [];
  for (const symbol of GOLDEN_SYMBOLS) {
    for (const [input, candles] of Object.entries(await goldenInputs(symbol)) as [GoldenInput, Candle[]][]) {
      const prices = {
        startIdx: 0,
        endIdx: candles.length - 1,
        inReal: candles.map((c) => c.close),
        high: candles.map((c) => c.high),
        low: candles.map((c) => c.low),
        close: candles.map((c) => c.close),
      };
      const tail = input === '3m' ? FULL_3M_TAIL : Infinity;
      const outputs: Record<string, GoldenOutput> = {};
      const run = (name: string, options: object, fields: Record<string, string>) => {
        const r = talib.execute({ name, ...prices, ...options });
        for (const [key, field] of Object.entries(fields)) {
          const all = r.result[field]!;
          outputs[key] = { begIdx: r.begIndex, count: all.length, values: all.slice(Math.max(0, all.length - tail)) };
        }
      };
      run('RSI', { optInTimePeriod: 7 }, { rsi7: 'outReal' });
      run('RSI', { optInTimePeriod: 14 }, { rsi14: 'outReal' });
      run(
        'MACD',
        { optInFastPeriod: 12, optInSlowPeriod: 26, optInSignalPeriod: 9 },
        { macd: 'outMACD', macdSignal: 'outMACDSignal', macdHist: 'outMACDHist' },
      );
      run('EMA', { optInTimePeriod: 20 }, { ema20: 'outReal' });
      run('EMA', { optInTimePeriod: 50 }, { ema50: 'outReal' });
      run('ATR', { optInTimePeriod: 14 }, { atr14: 'outReal' });
      run(
        'BBANDS',
        { optInTimePeriod: 20, optInNbDevUp: 2, optInNbDevDn: 2, optInMAType: 0 },
        { bbUpper: 'outRealUpperBand', bbMiddle: 'outRealMiddleBand', bbLower: 'outRealLowerBand' },
      );
      cases.push({
        symbol,
        input,
        bars: candles.length,
        firstOpenTime: candles[0]!.openTime,
        lastOpenTime: candles[candles.length - 1]!.openTime,
        outputs,
      });
    }
  }
  const golden: GoldenFile = { talib: 'npm talib 2.0.5 (TA-Lib C 0.6.0-dev), default compatibility and unstable periods', cases };
  writeFileSync(GOLDEN_FILE, gzipSync(JSON.stringify(golden), { level: 9 }));
  console.log(`wrote ${GOLDEN_FILE} (${cases.length} cases)`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
