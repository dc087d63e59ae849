/**
 * The seed's response shapes (§3.2) built from our records: AccountInfo from an equity snapshot or a
 * decision's input, Position from a venue position. Pure functions; the WebSocket feed and the
 * decision-log export use them, and the REST routes may.
 */
import type { Selectable } from 'kysely';
import type { EquitySnapshotsTable, StoredPosition } from '../db/schema';
import type { AccountView, PositionView } from '../decisions/types';
import type { VenuePosition } from '../venues/venue';

export interface AccountInfo {
  total_balance: number;
  available_balance: number;
  margin_used: number;
  unrealized_pnl: number;
  total_positions_value: number;
  used_percentage: number;
}

export interface PositionInfo {
  symbol: string;
  side: 'long' | 'short';
  position_amt: number;
  entry_price: number;
  mark_price: number;
  unrealized_profit: number;
  pnl_percentage: number;
  leverage: number;
  liquidation_price: number;
  margin_type: 'isolated' | 'cross';
  margin: number;
  opened_at: string | null;
  /** Protective trigger prices, when known (a decision's input has them; the venue snapshot does not). */
  stop_loss?: number | null;
  take_profit?: number | null;
}

/** A venue position (snapshot) or a position as the decision maker saw it. */
type AnyPosition = StoredPosition;

export function positionInfo(p: AnyPosition): PositionInfo {
  const info: PositionInfo = {
    symbol: p.symbol,
    side: p.side,
    position_amt: p.quantity,
    entry_price: p.entryPrice,
    mark_price: p.markPrice,
    unrealized_profit: p.unrealizedPnl,
    pnl_percentage: p.margin > 0 ? (p.unrealizedPnl / p.margin) * 100 : 0,
    leverage: p.leverage,
    liquidation_price: p.liquidationPrice,
    // The arena trades isolated margin only; a decision's input does not repeat it.
    margin_type: p.marginType ?? 'isolated',
    margin: p.margin,
    opened_at: Number.isFinite(p.openedAt) ? new Date(p.openedAt).toISOString() : null,
  };
  if (p.stopLoss !== undefined) info.stop_loss = p.stopLoss;
  if (p.takeProfit !== undefined) info.take_profit = p.takeProfit;
  return info;
}

function accountOf(equity: number, available: number, margin: number, unrealized: number, positions: AnyPosition[]): AccountInfo {
  return {
    total_balance: equity,
    available_balance: available,
    margin_used: margin,
    unrealized_pnl: unrealized,
    total_positions_value: positions.reduce((s, p) => s + p.quantity * p.markPrice, 0),
    used_percentage: equity > 0 ? (margin / equity) * 100 : 0,
  };
}

/** The account after a cycle's orders, from its equity snapshot. */
export function accountFromSnapshot(
  snap: Pick<Selectable<EquitySnapshotsTable>, 'equity' | 'cash' | 'margin' | 'unrealized_pnl' | 'positions'>,
): AccountInfo {
  return accountOf(
    Number(snap.equity),
    Number(snap.cash),
    Number(snap.margin),
    Number(snap.unrealized_pnl),
    snapshotPositions(snap.positions),
  );
}

/** The account as the decision maker saw it, from a cycle's input. */
export function accountFromView(account: AccountView, positions: PositionView[]): AccountInfo {
  return accountOf(account.equity, account.available, account.marginUsed, account.unrealizedPnl, positions);
}

/** The venue positions stored in an equity snapshot. */
export function snapshotPositions(positions: unknown): VenuePosition[] {
  return Array.isArray(positions) ? (positions as VenuePosition[]) : [];
}
