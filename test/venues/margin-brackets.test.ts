import assert from 'node:assert/strict';
import bundled from '../../venues/paper/margin-brackets.binance-usdm.json';
import { PAPER_MARGIN_BRACKETS } from '../../venues/paper/margin-brackets';
import { PAPER_SYMBOL_RULES } from '../../venues/paper/symbol-table';
import { liquidationPrice, maintenanceMargin, marginBracketAt, maxLeverageAt, maxNotionalAt } from '../../venues/symbol-rules';

const BTC = PAPER_MARGIN_BRACKETS.get('BTCUSDT')!;
const close = (actual: number, expected: number, tolerance = 0.005) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

describe('margin brackets: the bundled Binance answer and the pure helpers', () => {
  it('bundles the six arena symbols with their source and date, cum consistent with floors and ratios', () => {
    assert.match(bundled.source, /leverageBracket/);
    assert.equal(bundled.asOf, '2023-08-16');
    assert.match(bundled.refresh, /GET \/fapi\/v1\/leverageBracket/);
    assert.deepEqual([...PAPER_MARGIN_BRACKETS.keys()].sort(), ['BNBUSDT', 'BTCUSDT', 'DOGEUSDT', 'ETHUSDT', 'SOLUSDT', 'XRPUSDT']);
    for (const [symbol, brackets] of PAPER_MARGIN_BRACKETS) {
      brackets.forEach((b, i) => {
        const previous = brackets[i - 1];
        if (!previous) return assert.equal(b.notionalFloor, 0, symbol);
        assert.equal(b.notionalFloor, previous.notionalCap, `${symbol} bracket ${b.bracket} starts where the last ended`);
        close(b.cum, previous.cum + b.notionalFloor * (b.maintMarginRatio - previous.maintMarginRatio), 1e-6);
      });
      assert.equal(PAPER_SYMBOL_RULES[symbol]!.maxLeverage, brackets[0]!.initialLeverage);
    }
    assert.deepEqual(BTC[0], { bracket: 1, initialLeverage: 125, notionalCap: 50_000, notionalFloor: 0, maintMarginRatio: 0.004, cum: 0 });
  });

  it('finds the bracket, its maintenance margin, the leverage it allows and the notional a leverage allows', () => {
    assert.equal(marginBracketAt(BTC, 49_999.99).bracket, 1);
    assert.equal(marginBracketAt(BTC, 50_000).bracket, 2, 'a floor belongs to its bracket');
    assert.equal(marginBracketAt(BTC, -60_000).bracket, 2, 'a short counts its size');
    // 60,000 x 0.5 % - 50 = 250 (and continuous at the edge: 50,000 x 0.4 % = 50,000 x 0.5 % - 50 = 200).
    assert.equal(maintenanceMargin(BTC, 60_000).toNumber(), 250);
    assert.equal(maintenanceMargin(BTC, 50_000).toNumber(), maintenanceMargin(BTC, 49_999.999999).toDecimalPlaces(4).toNumber());
    assert.equal(maxLeverageAt(BTC, 60_000), 100);
    assert.equal(maxNotionalAt(BTC, 125), 50_000);
    assert.equal(maxNotionalAt(BTC, 100), 250_000);
    assert.equal(maxNotionalAt(BTC, 21), 3_000_000);
  });

  it("liquidation price: Binance's formula with the bracket of the notional at that price", () => {
    // The case: 0.1 BTC long at 60,012 (60,000 + 0.02 % slippage), 50x: margin 120.024.
    // LP = (120.024 + 0 - 0.1 x 60,012) / (0.1 x 0.004 - 0.1) = 5,881.176 / 0.0996 = 59,047.95
    // (the flat 0.5 % gave (6,001.2 - 120.024) / (0.1 x 0.995) = 59,107.30).
    close(liquidationPrice({ side: 'long', quantity: 0.1, entryPrice: 60_012, margin: 120.024 }, BTC).toNumber(), 59_047.95);
    // A short of 0.1 at 59,988, 50x: (119.976 + 5,998.8) / (0.1 x 0.004 + 0.1) = 60,943.98.
    close(liquidationPrice({ side: 'short', quantity: 0.1, entryPrice: 59_988, margin: 119.976 }, BTC).toNumber(), 60_943.98);
    // Second bracket: 1 BTC at 60,012, 100x, margin 600.12: (600.12 + 50 - 60,012) / (0.005 - 1) = 59,660.18;
    // the first bracket's 59,650.48 would put the notional (59,650) outside it.
    close(liquidationPrice({ side: 'long', quantity: 1, entryPrice: 60_012, margin: 600.12 }, BTC).toNumber(), 59_660.18);
    // Entered in the second bracket (1.7 x 30,006 = 51,010), liquidated in the first: the second would give
    // 27,111.55 (notional 46,090, below its floor); the first gives (5,101.02 - 51,010.2) / (1.7 x 0.004 - 1.7) = 27,113.86.
    close(liquidationPrice({ side: 'long', quantity: 1.7, entryPrice: 30_006, margin: 5_101.02 }, BTC).toNumber(), 27_113.86);
    // A long at 1x cannot be liquidated.
    assert.equal(liquidationPrice({ side: 'long', quantity: 1, entryPrice: 30_000, margin: 30_000 }, BTC).toNumber(), 0);
  });
});
