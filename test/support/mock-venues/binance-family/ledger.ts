import Decimal from 'decimal.js';
import { liquidationPrice, maintenanceMargin as bracketMaintenance } from '../../../../venues/symbol-rules';
import type { MarginBracket } from '../../../../venues/venue';
import type { Account, MarginType, Position, PositionSide, Side } from './model';

/**
 * Account arithmetic of a USD-M futures account: balances, margins, PnL and what a fill does to them.
 *
 * The wallet balance holds everything (deposits, realised PnL, fees, funding). An isolated position
 * sets part of it aside (`isolatedWallet`); a cross position ties up `notional / leverage` of the
 * cross wallet. Available = cross wallet + cross unrealised PnL - cross initial margin - margin of
 * resting opening LIMIT orders. Maintenance margin follows the symbol's brackets (what GET
 * leverageBracket serves), with Binance's formulas.
 */

const ZERO = new Decimal(0);

/** What the arithmetic needs to know of the market: mark prices and each symbol's brackets. */
export interface MarketOf {
  price(symbol: string): Decimal;
  brackets(symbol: string): MarginBracket[];
}

export const direction = (side: Side): 1 | -1 => (side === 'BUY' ? 1 : -1);
export const round8 = (value: Decimal): Decimal => value.toDecimalPlaces(8, Decimal.ROUND_HALF_UP);

export function unrealizedPnl(p: Position, mark: Decimal): Decimal {
  return mark.sub(p.entryPrice).mul(p.amount);
}

export function initialMargin(p: Position, mark: Decimal): Decimal {
  return p.amount.abs().mul(mark).div(p.leverage);
}

export function maintenanceMargin(p: Position, mark: Decimal, brackets: MarginBracket[]): Decimal {
  return bracketMaintenance(brackets, p.amount.abs().mul(mark));
}

export interface BalanceSummary {
  wallet: Decimal;
  isolatedWallets: Decimal;
  crossWallet: Decimal;
  crossUnPnl: Decimal;
  crossInitialMargin: Decimal;
  crossMaintMargin: Decimal;
  openOrderMargin: Decimal;
  available: Decimal;
  maxWithdraw: Decimal;
  /** Of every position, cross and isolated. */
  unrealizedPnl: Decimal;
}

export function summarize(account: Account, market: MarketOf): BalanceSummary {
  let isolatedWallets = ZERO;
  let crossUnPnl = ZERO;
  let crossInitialMargin = ZERO;
  let crossMaintMargin = ZERO;
  let allUnPnl = ZERO;
  for (const p of account.positions.values()) {
    const mark = market.price(p.symbol);
    const pnl = unrealizedPnl(p, mark);
    allUnPnl = allUnPnl.add(pnl);
    if (p.marginType === 'ISOLATED') {
      isolatedWallets = isolatedWallets.add(p.isolatedWallet);
    } else {
      crossUnPnl = crossUnPnl.add(pnl);
      crossInitialMargin = crossInitialMargin.add(initialMargin(p, mark));
      crossMaintMargin = crossMaintMargin.add(maintenanceMargin(p, mark, market.brackets(p.symbol)));
    }
  }
  let openOrderMargin = ZERO;
  for (const o of account.openOrders()) {
    if (o.type !== 'LIMIT' && !o.triggered) continue;
    if (o.reduceOnly || o.closePosition) continue;
    const leverage = account.settings.get(o.symbol)?.leverage ?? 1;
    openOrderMargin = openOrderMargin.add(o.origQty.sub(o.executedQty).mul(o.price).div(leverage));
  }
  const crossWallet = account.wallet.sub(isolatedWallets);
  const available = crossWallet.add(crossUnPnl).sub(crossInitialMargin).sub(openOrderMargin);
  return {
    wallet: account.wallet,
    isolatedWallets,
    crossWallet,
    crossUnPnl,
    crossInitialMargin,
    crossMaintMargin,
    openOrderMargin,
    available,
    maxWithdraw: Decimal.max(ZERO, Decimal.min(available, crossWallet)),
    unrealizedPnl: allUnPnl,
  };
}

/**
 * Mark price at which the position's margin plus its loss falls to the maintenance margin (Binance's
 * one-way formula). An isolated position's margin is its isolated wallet; a cross one's is the cross
 * wallet, less the other cross positions' maintenance margin, plus their PnL (WB - TMM1 + UPNL1).
 */
export function liquidationPriceOf(account: Account, p: Position, market: MarketOf): Decimal {
  const brackets = market.brackets(p.symbol);
  let margin = p.isolatedWallet;
  if (p.marginType === 'CROSSED') {
    const summary = summarize(account, market);
    const mark = market.price(p.symbol);
    margin = summary.crossWallet
      .sub(summary.crossMaintMargin.sub(maintenanceMargin(p, mark, brackets)))
      .add(summary.crossUnPnl.sub(unrealizedPnl(p, mark)));
    if (margin.lte(0)) return ZERO;
  }
  return liquidationPrice(
    { side: p.amount.gt(0) ? 'long' : 'short', quantity: p.amount.abs(), entryPrice: p.entryPrice, margin },
    brackets,
  );
}

/** How much of the position at `positionSide` an order on `side` would close. */
export function closableQty(account: Account, symbol: string, positionSide: PositionSide, side: Side): Decimal {
  const p = account.position(symbol, positionSide);
  if (!p) return ZERO;
  const closes = p.amount.gt(0) ? side === 'SELL' : side === 'BUY';
  return closes ? p.amount.abs() : ZERO;
}

export interface FillInput {
  symbol: string;
  positionSide: PositionSide;
  side: Side;
  qty: Decimal;
  price: Decimal;
  feeRate: Decimal;
  /** Settings for the part that opens or adds. */
  leverage: number;
  marginType: MarginType;
  now: number;
}

export interface FillResult {
  closed: Decimal;
  opened: Decimal;
  realizedPnl: Decimal;
  fee: Decimal;
}

/** What closing `closing` of the position at `price` would hand back to the available balance. */
export function freedByClosing(
  account: Account,
  input: Pick<FillInput, 'symbol' | 'positionSide' | 'price'>,
  closing: Decimal,
  mark: Decimal,
): Decimal {
  const p = account.position(input.symbol, input.positionSide);
  if (!p || closing.isZero()) return ZERO;
  const share = closing.div(p.amount.abs());
  const realized = input.price.sub(p.entryPrice).mul(closing).mul(p.amount.s);
  if (p.marginType === 'ISOLATED') return p.isolatedWallet.mul(share).add(realized);
  // Cross: the initial margin comes free; the PnL already counted as unrealised becomes realised.
  return initialMargin(p, mark).mul(share).add(realized).sub(unrealizedPnl(p, mark).mul(share));
}

/** Books a fill: closes against the position first, opens or adds with the rest; fee off the wallet. */
export function applyFill(account: Account, input: FillInput): FillResult {
  const { symbol, positionSide, side, qty, price } = input;
  const sign = direction(side);
  const existing = account.position(symbol, positionSide);
  let position: Position | undefined = existing ? { ...existing } : undefined;

  const closed = position && position.amount.s !== sign ? Decimal.min(qty, position.amount.abs()) : ZERO;
  let realizedPnl = ZERO;
  if (position && closed.gt(0)) {
    realizedPnl = round8(price.sub(position.entryPrice).mul(closed).mul(position.amount.s));
    if (position.marginType === 'ISOLATED') {
      const released = position.isolatedWallet.mul(closed).div(position.amount.abs());
      position.isolatedWallet = position.isolatedWallet.sub(released);
    }
    position.amount = position.amount.add(closed.mul(sign));
    position.updateTime = input.now;
    if (position.amount.isZero()) {
      account.setPosition(position);
      position = undefined;
    }
  }

  const opened = qty.sub(closed);
  if (opened.gt(0)) {
    const addedMargin = input.marginType === 'ISOLATED' ? opened.mul(price).div(input.leverage) : ZERO;
    if (position) {
      const total = position.amount.abs().add(opened);
      position.entryPrice = position.entryPrice.mul(position.amount.abs()).add(price.mul(opened)).div(total);
      position.amount = total.mul(sign);
      position.isolatedWallet = position.isolatedWallet.add(addedMargin);
      position.updateTime = input.now;
    } else {
      position = {
        symbol,
        positionSide,
        amount: opened.mul(sign),
        entryPrice: price,
        marginType: input.marginType,
        leverage: input.leverage,
        isolatedWallet: addedMargin,
        openedAt: input.now,
        updateTime: input.now,
      };
    }
  }
  if (position) account.setPosition(position);

  const fee = round8(qty.mul(price).mul(input.feeRate));
  account.wallet = account.wallet.add(realizedPnl).sub(fee);
  account.updateTime = input.now;
  return { closed, opened, realizedPnl, fee };
}
