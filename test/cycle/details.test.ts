import assert from 'node:assert/strict';
import { cycleDetails } from '../../cycle/details';

describe("a cycle's details in the Temporal Web UI", () => {
  it('say what was asked, decided, refused and why, executed, and the equity after', () => {
    const text = cycleDetails({
      cycleNo: 42,
      marketTime: Date.UTC(2023, 7, 1, 12, 3),
      decisionMaker: 'deepseek/deepseek-chat',
      before: { account: { equity: 10012.345, available: 8000, marginUsed: 2000, unrealizedPnl: 1 }, positions: 2 },
      after: { account: { equity: 10010.1, available: 7000, marginUsed: 3000, unrealizedPnl: 0 }, positions: 3 },
      verdicts: [
        {
          decision: { action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 2000, leverage: 3, reason: 'trend' },
          status: 'approved',
          reason: 'ok',
          order: { kind: 'open', symbol: 'BTCUSDT', side: 'long', quantity: '0.068', leverage: 3, referencePrice: 29190.5 },
        },
        {
          decision: { action: 'open_short', symbol: 'SOLUSDT', sizeUsd: 500, leverage: 5, reason: 'weak' },
          status: 'rejected',
          reason: '3 positions open, max_positions 3',
          rule: 'max_positions',
        },
      ],
      executions: [
        { symbol: 'BTCUSDT', leg: 'open', clientOrderId: 'a', status: 'filled', quantity: 0.068, price: 29190.5, fee: 1 },
        { symbol: 'BTCUSDT', leg: 'stop_loss', clientOrderId: 'b', status: 'placed' },
      ],
      modelError: null,
      safeMode: false,
    });
    assert.equal(
      text,
      [
        '**Cycle 42** · bar 2023-08-01 12:03Z',
        '**Asked** deepseek/deepseek-chat · equity 10,012.35 USDT · 2 positions',
        '**Decided**: open long BTCUSDT 2,000.00 USDT @3x; open short SOLUSDT 500.00 USDT @5x',
        '**Refused**: open short SOLUSDT 500.00 USDT @5x: 3 positions open, max_positions 3',
        '**Executed**: open BTCUSDT 0.068 @ 29190.5 (filled); stop loss BTCUSDT (placed)',
        '**Equity after** 10,010.10 USDT · 3 positions',
      ].join('\n\n'),
    );
  });

  it('say why the cycle waited when the model failed, and that safe mode is on', () => {
    const text = cycleDetails({
      cycleNo: 7,
      marketTime: 0,
      decisionMaker: 'openai/gpt-5',
      before: { account: { equity: 1, available: 1, marginUsed: 0, unrealizedPnl: 0 }, positions: 0 },
      after: { account: { equity: 1, available: 1, marginUsed: 0, unrealizedPnl: 0 }, positions: 1 },
      verdicts: [{ decision: { action: 'wait', reason: 'model call failed' }, status: 'no_order', reason: 'wait' }],
      executions: [],
      modelError: 'LlmTimeout: no answer in 120 s',
      safeMode: true,
    });
    assert.match(text, /\*\*SAFE MODE\*\* \(no new positions\)/);
    assert.match(text, /\*\*Model failed\*\*: LlmTimeout: no answer in 120 s; the cycle waited/);
    assert.match(text, /\*\*Executed\*\*: no order/);
    assert.match(text, /1 position$/);
  });

  it('keep no dollar sign from elsewhere (the Web UI reads two of them as a formula)', () => {
    const text = cycleDetails({
      cycleNo: 1,
      marketTime: 0,
      decisionMaker: 'openai/gpt-5',
      before: { account: { equity: 1, available: 1, marginUsed: 0, unrealizedPnl: 0 }, positions: 0 },
      after: { account: { equity: 1, available: 1, marginUsed: 0, unrealizedPnl: 0 }, positions: 0 },
      verdicts: [
        {
          decision: { action: 'open_long', symbol: 'BTCUSDT', sizeUsd: 20, leverage: 2, reason: 'x' },
          status: 'rejected',
          reason: 'size $20 is under the $50 minimum',
        },
      ],
      executions: [],
      modelError: null,
      safeMode: false,
    });
    assert.ok(!text.includes('$'), text);
    assert.match(text, /size USD 20 is under the USD 50 minimum/);
  });
});
