import type { PositionView } from '../decisions/types';
import type { VenueBalance, VenueOrder, VenuePosition } from '../venues/venue';
import type { AccountState } from './types';

/** The account as a decision maker sees it: balances, and positions with their protective trigger prices. */
export function accountState(balance: VenueBalance, positions: readonly VenuePosition[], orders: readonly VenueOrder[]): AccountState {
  const trigger = (symbol: string, type: VenueOrder['type']) =>
    orders.find((o) => o.symbol === symbol && o.type === type)?.stopPrice ?? null;
  return {
    account: {
      equity: balance.equity,
      available: balance.availableBalance,
      marginUsed: balance.marginUsed,
      unrealizedPnl: balance.unrealizedPnl,
    },
    positions: positions.map((p): PositionView => ({
      symbol: p.symbol,
      side: p.side,
      quantity: p.quantity,
      entryPrice: p.entryPrice,
      markPrice: p.markPrice,
      unrealizedPnl: p.unrealizedPnl,
      leverage: p.leverage,
      margin: p.margin,
      liquidationPrice: p.liquidationPrice,
      stopLoss: trigger(p.symbol, 'STOP_MARKET'),
      takeProfit: trigger(p.symbol, 'TAKE_PROFIT_MARKET'),
      openedAt: p.openedAt,
    })),
  };
}

/**
 * Balance, positions and open orders, read once each. The orders come first: a stop-loss that fires
 * between the two reads is then gone with its position, never a position seen without the stop that
 * closed it (read the other way round, a fired stop looks like an unprotected position).
 */
export async function readAccount(venue: {
  balance(): Promise<VenueBalance>;
  positions(): Promise<VenuePosition[]>;
  openOrders(): Promise<VenueOrder[]>;
}) {
  const orders = await venue.openOrders();
  const [balance, positions] = await Promise.all([venue.balance(), venue.positions()]);
  return { balance, positions, orders };
}
