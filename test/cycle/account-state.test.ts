import assert from 'node:assert/strict';
import { accountState, readAccount } from '../../cycle/account-state';
import type { VenueBalance, VenueOrder, VenuePosition } from '../../venues/venue';

const BALANCE: VenueBalance = { availableBalance: 900, marginUsed: 100, unrealizedPnl: 0, equity: 1000 };
const SHORT: VenuePosition = {
  symbol: 'BTCUSDT',
  side: 'short',
  quantity: 0.01,
  entryPrice: 60_000,
  markPrice: 61_000,
  unrealizedPnl: -10,
  leverage: 2,
  margin: 300,
  liquidationPrice: 89_000,
  openedAt: null,
} as unknown as VenuePosition;
const STOP = { symbol: 'BTCUSDT', type: 'STOP_MARKET', stopPrice: 61_500, status: 'NEW' } as unknown as VenueOrder;

/**
 * A venue whose stop-loss fires at a chosen moment: before it, the position and its stop both exist;
 * after it, neither does (the stop closed the position).
 */
function venueWhereTheStopFires(firesAfter: 'openOrders' | 'positions') {
  let fired = false;
  const calls: string[] = [];
  const read = async <T>(name: string, value: () => T): Promise<T> => {
    calls.push(name);
    await new Promise((resolve) => setImmediate(resolve));
    const answer = value();
    if (name === firesAfter) fired = true;
    return answer;
  };
  return {
    calls,
    balance: () => read('balance', () => BALANCE),
    positions: () => read('positions', () => (fired ? [] : [SHORT])),
    openOrders: () => read('openOrders', () => (fired ? [] : [STOP])),
  };
}

describe('readAccount', () => {
  it('reads the open orders before the positions: a stop that fires in between never shows as an unprotected position', async () => {
    for (const firesAfter of ['openOrders', 'positions'] as const) {
      const venue = venueWhereTheStopFires(firesAfter);
      const { balance, positions, orders } = await readAccount(venue);
      assert.ok(venue.calls.indexOf('openOrders') < venue.calls.indexOf('positions'), venue.calls.join(', '));
      const state = accountState(balance, positions, orders);
      const unprotected = state.positions.filter((p) => p.stopLoss === null);
      assert.deepEqual(unprotected, [], `stop fired after ${firesAfter}`);
    }
  });

  it('shows each position with the trigger prices of its resting stop-loss and take-profit', () => {
    const target = { ...STOP, type: 'TAKE_PROFIT_MARKET', stopPrice: 55_000 } as VenueOrder;
    const [view] = accountState(BALANCE, [SHORT], [STOP, target]).positions;
    assert.deepEqual([view!.stopLoss, view!.takeProfit], [61_500, 55_000]);
    assert.equal(accountState(BALANCE, [SHORT], [target]).positions[0]!.stopLoss, null);
  });
});
