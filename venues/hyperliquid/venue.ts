import { InfoClient, type ExchangeClient, type OrderParameters } from '@nktkas/hyperliquid';
import Decimal from 'decimal.js';
import type { Wallet } from 'ethers';
import { VenueOutcomeUnknown } from '../errors';
import type { AccountCheck, LiveVenue } from '../live-venue';
import { OrderRequest, SymbolRules, VenueBalance, VenueIncome, VenueOrder, VenuePosition, VenueRejection } from '../venue';
import { checkHyperliquidAccount } from './account-check';
import { clientIdOf, oidOf, toCloid } from './cloid';
import { venueCall } from './errors';
import { Fill, openedAtFromFills, summarizeFills, toVenueBalance, toVenueOrder, toVenuePosition } from './mapping';
import { AssetDirectory, AssetInfo } from './meta';
import { readAllSince } from './paging';
import { roundPrice, stepSizeOf, tickSizeAt, truncateSize } from './price-rules';
import { createExchangeClient } from './signer';
import { arenaSymbolOf } from './symbols';
import { HyperliquidTransport } from './transport';

/** Hyperliquid refuses orders worth less than $10 ("Order must have minimum value of $10."). */
export const MIN_ORDER_VALUE = '10';
/** A market order is an IOC limit this far past the mid (the SDK's guide uses 1 %; 5 % fills in fast markets). */
export const DEFAULT_MARKET_SLIPPAGE = 0.05;
/** The limit price of a market trigger (the worst fill accepted once it fires): this far past the trigger. */
export const TRIGGER_WORST_PRICE = 0.1;
/** Fills are read from this long before our own clock (the venue's may differ). */
const CLOCK_SKEW_MS = 60_000;
const FILLS_PAGE = 2000;
const FUNDING_PAGE = 500;

export interface HyperliquidVenueOptions {
  account: string;
  baseUrl: string;
  testnet: boolean;
  /** Signs every action: an agent (API) wallet of `user`, or the main wallet. */
  wallet: Wallet;
  /** Main account whose state is read; default the wallet's own address. */
  user?: string;
  marketSlippage?: number;
  /** How long placeOrder waits for a market order's fills to be listed (fee, realised PnL). */
  fillPollIntervalMs?: number;
  fillPollAttempts?: number;
}

type OrderWire = OrderParameters['orders'][number];

/**
 * The Venue interface on Hyperliquid perps, through @nktkas/hyperliquid's InfoClient and
 * ExchangeClient over a transport that uses the arena's shared limiter and HTTP error
 * classification. One-way positions only (the venue has no hedge mode); the arena trades isolated.
 */
export class HyperliquidVenue implements LiveVenue {
  readonly venue = 'hyperliquid';
  readonly account: string;
  readonly baseUrl: string;
  readonly testnet: boolean;
  /** Main account whose positions these are. */
  readonly user: `0x${string}`;
  /** Address of the signing wallet. */
  readonly signer: `0x${string}`;
  private readonly info: InfoClient;
  private readonly exchange: ExchangeClient;
  private readonly assets: AssetDirectory;
  /** Margin mode chosen per coin with setMarginType (default isolated); applied by every updateLeverage. */
  private readonly marginTypes = new Map<string, 'isolated' | 'cross'>();
  private readonly slippage: number;
  private readonly pollMs: number;
  private readonly pollAttempts: number;

  constructor(opts: HyperliquidVenueOptions) {
    this.account = opts.account;
    this.baseUrl = opts.baseUrl;
    this.testnet = opts.testnet;
    this.signer = opts.wallet.address.toLowerCase() as `0x${string}`;
    const user = (opts.user ?? opts.wallet.address).toLowerCase();
    if (!/^0x[0-9a-f]{40}$/.test(user)) {
      throw new VenueRejection(
        'BAD_CREDENTIALS',
        `hyperliquid account "${opts.account}": the user variable must be a 0x address of 40 hex digits`,
      );
    }
    this.user = user as `0x${string}`;
    const transport = new HyperliquidTransport(opts.baseUrl, opts.testnet);
    this.info = new InfoClient({ transport });
    this.exchange = createExchangeClient(transport, opts.wallet);
    this.assets = new AssetDirectory(opts.baseUrl, this.info);
    this.slippage = opts.marketSlippage ?? DEFAULT_MARKET_SLIPPAGE;
    this.pollMs = opts.fillPollIntervalMs ?? 250;
    this.pollAttempts = opts.fillPollAttempts ?? 8;
  }

  // --- reads ---

  /**
   * tickSize is the step valid around the current mid (see price-rules.ts: 10^-(6 − szDecimals)
   * capped by 5 significant figures, at most 1); minQty = stepSize = 10^-szDecimals; $10 minimum;
   * brackets from the perp's margin table in meta.
   */
  async symbolRules(symbol: string): Promise<SymbolRules> {
    const asset = await this.assets.tradable(symbol);
    const mid = await this.mid(asset);
    const step = stepSizeOf(asset.szDecimals);
    return {
      symbol,
      tickSize: tickSizeAt(mid, asset.szDecimals),
      stepSize: step,
      minQty: step,
      minNotional: MIN_ORDER_VALUE,
      maxLeverage: asset.maxLeverage,
      marginBrackets: asset.marginBrackets,
    };
  }

  async balance(): Promise<VenueBalance> {
    return toVenueBalance(await this.state());
  }

  async positions(): Promise<VenuePosition[]> {
    const held = (await this.state()).assetPositions.map((a) => a.position).filter((p) => !new Decimal(p.szi).isZero());
    if (held.length === 0) return [];
    const fills = await venueCall('info userFills', () => this.info.userFills({ user: this.user }));
    return held
      .map((p) => toVenuePosition(arenaSymbolOf(p.coin), p, openedAtFromFills(p.coin, fills)))
      .sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  async openOrders(symbol?: string): Promise<VenueOrder[]> {
    const coin = symbol ? (await this.assets.asset(symbol)).coin : null;
    const orders = await venueCall('info frontendOpenOrders', () => this.info.frontendOpenOrders({ user: this.user }));
    return orders
      .filter((o) => coin === null || o.coin === coin)
      .map((o) => toVenueOrder(symbol ?? arenaSymbolOf(o.coin), o, 'open', o.timestamp, []))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async getOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const asset = await this.assets.asset(symbol);
    const ref = oidOf(clientOrderId) ?? toCloid(clientOrderId);
    const found = await venueCall('info orderStatus', () => this.info.orderStatus({ user: this.user, oid: ref }));
    if (found.status !== 'order') return null;
    const { order, status, statusTimestamp } = found.order;
    if (order.coin !== asset.coin) return null;
    const executedSome = status === 'filled' || status === 'triggered' || !new Decimal(order.sz).eq(order.origSz);
    const fills = executedSome ? await this.fillsOfOrder(order.oid, order.timestamp) : [];
    return toVenueOrder(symbol, order, status, statusTimestamp, fills);
  }

  /**
   * Fills aggregated per venue order. The type of a reducing order (stop-loss, take-profit, or a
   * plain close) is not in its fills: it is read with orderStatus; liquidations are marked on the fill.
   */
  async filledOrders(since: number, symbols: readonly string[]): Promise<VenueOrder[]> {
    if (symbols.length === 0) return [];
    const coins = new Map<string, string>();
    for (const symbol of symbols) coins.set((await this.assets.asset(symbol)).coin, symbol);
    const byOid = new Map<number, Fill[]>();
    for (const fill of await this.fillsSince(since)) {
      if (!coins.has(fill.coin)) continue;
      byOid.set(fill.oid, [...(byOid.get(fill.oid) ?? []), fill]);
    }
    const orders: VenueOrder[] = [];
    for (const [oid, fills] of byOid) {
      const symbol = coins.get(fills[0]!.coin)!;
      const summary = summarizeFills(fills)!;
      const first = fills[0]!;
      const reducing = fills.some((f) => !new Decimal(f.closedPnl).isZero() || /close|>/i.test(f.dir));
      let order: VenueOrder = {
        clientOrderId: clientIdOf(fills.find((f) => f.cloid)?.cloid, oid),
        venueOrderId: String(oid),
        symbol,
        side: first.side === 'B' ? 'BUY' : 'SELL',
        type: summary.liquidation ? 'LIQUIDATION' : 'MARKET',
        status: 'FILLED',
        quantity: summary.executedQty.toNumber(),
        executedQty: summary.executedQty.toNumber(),
        avgPrice: summary.avgPrice.toNumber(),
        stopPrice: null,
        fee: summary.fee.toNumber(),
        realizedPnl: summary.realizedPnl.toNumber(),
        reduceOnly: reducing,
        closePosition: false,
        createdAt: summary.firstTime,
        updatedAt: summary.lastTime,
      };
      if (reducing && !summary.liquidation) {
        const status = await venueCall('info orderStatus', () => this.info.orderStatus({ user: this.user, oid }));
        if (status.status === 'order') {
          const described = toVenueOrder(symbol, status.order.order, status.order.status, status.order.statusTimestamp, fills);
          order = {
            ...order,
            type: described.type,
            stopPrice: described.stopPrice,
            quantity: described.quantity,
            reduceOnly: described.reduceOnly,
            closePosition: described.closePosition,
            clientOrderId: described.clientOrderId,
          };
        }
      }
      orders.push(order);
    }
    return orders.sort((a, b) => a.updatedAt - b.updatedAt || Number(a.venueOrderId) - Number(b.venueOrderId));
  }

  /** Funding payments (userFunding), and each fill's fee (COMMISSION) and closedPnl (REALIZED_PNL). */
  async income(since: number): Promise<VenueIncome[]> {
    const funding = await readAllSince(
      since,
      FUNDING_PAGE,
      (startTime) => venueCall('info userFunding', () => this.info.userFunding({ user: this.user, startTime })),
      (f) => f.time,
      (f) => `${f.hash}:${f.delta.coin}:${f.time}`,
    );
    const rows: VenueIncome[] = funding
      .filter((f) => f.time >= since)
      .map((f) => ({
        symbol: arenaSymbolOf(f.delta.coin),
        type: 'FUNDING_FEE',
        amount: Number(f.delta.usdc),
        clientOrderId: null,
        time: f.time,
      }));
    for (const fill of await this.fillsSince(since)) {
      const symbol = arenaSymbolOf(fill.coin);
      const clientOrderId = clientIdOf(fill.cloid, fill.oid);
      const fee = new Decimal(fill.fee).add(fill.builderFee ?? 0);
      if (!fee.isZero()) rows.push({ symbol, type: 'COMMISSION', amount: fee.neg().toNumber(), clientOrderId, time: fill.time });
      const pnl = new Decimal(fill.closedPnl);
      if (!pnl.isZero()) rows.push({ symbol, type: 'REALIZED_PNL', amount: pnl.toNumber(), clientOrderId, time: fill.time });
    }
    return rows.sort((a, b) => a.time - b.time);
  }

  // --- orders ---

  placeOrder(req: OrderRequest): Promise<VenueOrder> {
    return req.type === 'MARKET' ? this.placeMarket(req) : this.placeTrigger(req);
  }

  /**
   * A market order is a limit IOC at mid ± slippage, rounded inwards to a valid price. The answer
   * carries the filled size and average price; fee and realised PnL come from the order's fills.
   */
  private async placeMarket(req: OrderRequest): Promise<VenueOrder> {
    const asset = await this.assets.tradable(req.symbol);
    const cloid = toCloid(req.clientOrderId);
    const buying = req.side === 'BUY';
    const reduceOnly = !!(req.reduceOnly || req.closePosition);
    const size = req.closePosition
      ? truncateSize((await this.positionToClose(req, asset)).abs(), asset.szDecimals)
      : this.sizeOf(req, asset);
    const mid = await this.mid(asset);
    if (!reduceOnly && mid.mul(size).lt(MIN_ORDER_VALUE)) {
      throw new VenueRejection(
        'MIN_NOTIONAL',
        `hyperliquid: ${req.symbol} order of ${size} is worth ${mid.mul(size).toFixed(2)} USD, below the $${MIN_ORDER_VALUE} minimum`,
      );
    }
    const limit = this.validPrice(mid.mul(buying ? 1 + this.slippage : 1 - this.slippage), asset, buying ? 'down' : 'up');
    const sentAt = Date.now();
    const statuses = await this.sendOrder(
      { a: asset.asset, b: buying, p: limit, s: size, r: reduceOnly, t: { limit: { tif: 'Ioc' } }, c: cloid },
      'na',
    );
    const status = statuses[0];
    if (status && typeof status === 'object' && 'filled' in status) {
      const { oid, totalSz, avgPx } = status.filled;
      const summary = summarizeFills(await this.awaitFills(oid, sentAt - CLOCK_SKEW_MS, new Decimal(totalSz)));
      return {
        clientOrderId: req.clientOrderId,
        venueOrderId: String(oid),
        symbol: req.symbol,
        side: req.side,
        type: 'MARKET',
        status: 'FILLED',
        quantity: Number(size),
        executedQty: Number(totalSz),
        avgPrice: Number(avgPx),
        stopPrice: null,
        fee: summary?.fee.toNumber() ?? 0,
        realizedPnl: summary?.realizedPnl.toNumber() ?? 0,
        reduceOnly,
        closePosition: !!req.closePosition,
        createdAt: summary?.firstTime ?? sentAt,
        updatedAt: summary?.lastTime ?? sentAt,
      };
    }
    return this.lookUpAfterPlacing(req);
  }

  /**
   * STOP_MARKET / TAKE_PROFIT_MARKET: a market trigger {isMarket, triggerPx, tpsl} whose limit price
   * is the worst fill accepted (trigger ∓ 10 %). A close-position one is reduce-only, grouped
   * `positionTpsl` (it follows the position) and sized to the whole current position.
   */
  private async placeTrigger(req: OrderRequest): Promise<VenueOrder> {
    const asset = await this.assets.tradable(req.symbol);
    const cloid = toCloid(req.clientOrderId);
    if (!req.stopPrice) throw new VenueRejection('MISSING_PARAMETER', `${req.type} needs stopPrice`);
    const buying = req.side === 'BUY';
    const trigger = this.validPrice(req.stopPrice, asset, 'nearest');
    const size = req.closePosition
      ? truncateSize((await this.positionToClose(req, asset)).abs(), asset.szDecimals)
      : this.sizeOf(req, asset);
    const reduceOnly = !!(req.reduceOnly || req.closePosition);
    const tpsl = req.type === 'STOP_MARKET' ? 'sl' : 'tp';
    // A sell stop fires on a fall and a sell take-profit on a rise; the reverse for a buy.
    const firesBelow = (tpsl === 'sl') !== buying;
    const mid = await this.mid(asset);
    if (firesBelow ? mid.lte(trigger) : mid.gte(trigger)) {
      throw new VenueRejection(
        'WOULD_IMMEDIATELY_TRIGGER',
        `hyperliquid: ${req.type} ${req.side} ${req.symbol} at ${trigger} would trigger at once (mid ${mid})`,
      );
    }
    const worst = this.validPrice(
      new Decimal(trigger).mul(buying ? 1 + TRIGGER_WORST_PRICE : 1 - TRIGGER_WORST_PRICE),
      asset,
      buying ? 'up' : 'down',
    );
    const statuses = await this.sendOrder(
      {
        a: asset.asset,
        b: buying,
        p: worst,
        s: size,
        r: reduceOnly,
        t: { trigger: { isMarket: true, triggerPx: trigger, tpsl } },
        c: cloid,
      },
      req.closePosition ? 'positionTpsl' : 'na',
    );
    const status = statuses[0];
    if (status && typeof status === 'object' && 'resting' in status) {
      const now = Date.now();
      return {
        clientOrderId: req.clientOrderId,
        venueOrderId: String(status.resting.oid),
        symbol: req.symbol,
        side: req.side,
        type: req.type,
        status: 'NEW',
        quantity: Number(size),
        executedQty: 0,
        avgPrice: null,
        stopPrice: Number(trigger),
        fee: 0,
        realizedPnl: 0,
        reduceOnly,
        closePosition: !!req.closePosition,
        createdAt: now,
        updatedAt: now,
      };
    }
    return this.lookUpAfterPlacing(req);
  }

  /**
   * Cancels by cloid (by oid for an order that has none). An order the venue no longer holds open
   * (never placed, already cancelled or filled) gives null: there is nothing left to cancel.
   */
  async cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const asset = await this.assets.asset(symbol);
    const oid = oidOf(clientOrderId);
    try {
      await venueCall('exchange cancel', () =>
        oid !== null
          ? this.exchange.cancel({ cancels: [{ a: asset.asset, o: oid }] })
          : this.exchange.cancelByCloid({ cancels: [{ asset: asset.asset, cloid: toCloid(clientOrderId) }] }),
      );
    } catch (err) {
      if (err instanceof VenueRejection && err.code === 'ORDER_NOT_OPEN') return null;
      throw err;
    }
    return this.getOrder(symbol, clientOrderId);
  }

  /** updateLeverage with the coin's margin mode (isolated unless setMarginType chose cross). */
  async setLeverage(symbol: string, leverage: number): Promise<void> {
    const asset = await this.assets.tradable(symbol);
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > asset.maxLeverage) {
      throw new VenueRejection('INVALID_LEVERAGE', `leverage ${leverage} is not an integer from 1 to ${asset.maxLeverage} for ${symbol}`);
    }
    const isCross = this.marginTypes.get(asset.coin) === 'cross';
    await venueCall('exchange updateLeverage', () => this.exchange.updateLeverage({ asset: asset.asset, isCross, leverage }));
  }

  /**
   * Hyperliquid sets the margin mode together with the leverage (updateLeverage{isCross}). The choice
   * is recorded for later setLeverage calls and applied now with the coin's current leverage, unless
   * the coin already has that mode (activeAssetData), so a repeated call sends nothing.
   */
  async setMarginType(symbol: string, marginType: 'isolated' | 'cross'): Promise<void> {
    const asset = await this.assets.tradable(symbol);
    if (marginType === 'cross' && asset.isolatedOnly) {
      throw new VenueRejection('MARGIN_TYPE_UNSUPPORTED', `hyperliquid: ${asset.coin} trades with isolated margin only`);
    }
    this.marginTypes.set(asset.coin, marginType);
    const active = await venueCall('info activeAssetData', () => this.info.activeAssetData({ user: this.user, coin: asset.coin }));
    if (active.leverage.type === marginType) return;
    const leverage = Math.max(1, Math.min(active.leverage.value, asset.maxLeverage));
    await venueCall('exchange updateLeverage', () =>
      this.exchange.updateLeverage({ asset: asset.asset, isCross: marginType === 'cross', leverage }),
    );
  }

  checkAccount(): Promise<AccountCheck> {
    return checkHyperliquidAccount({
      info: this.info,
      account: this.account,
      baseUrl: this.baseUrl,
      testnet: this.testnet,
      user: this.user,
      signer: this.signer,
    });
  }

  // --- helpers ---

  private state() {
    return venueCall('info clearinghouseState', () => this.info.clearinghouseState({ user: this.user }));
  }

  private async mid(asset: AssetInfo): Promise<Decimal> {
    const mids = await venueCall('info allMids', () => this.info.allMids());
    const mid = mids[asset.coin];
    if (!mid || !(Number(mid) > 0)) throw new VenueRejection('NO_PRICE', `hyperliquid: no mid price for ${asset.coin}`);
    return new Decimal(mid);
  }

  private sizeOf(req: OrderRequest, asset: AssetInfo): string {
    if (!req.quantity) throw new VenueRejection('MISSING_PARAMETER', `${req.type} ${req.symbol} needs a quantity`);
    const size = truncateSize(req.quantity, asset.szDecimals);
    if (new Decimal(size).lte(0)) {
      throw new VenueRejection(
        'QUANTITY_BELOW_MIN',
        `hyperliquid: quantity ${req.quantity} of ${req.symbol} is below the step ${stepSizeOf(asset.szDecimals)}`,
      );
    }
    return size;
  }

  private validPrice(price: Decimal.Value, asset: AssetInfo, rounding: 'nearest' | 'down' | 'up'): string {
    const rounded = roundPrice(price, asset.szDecimals, rounding);
    if (rounded === null) throw new VenueRejection('PRECISION', `hyperliquid: price ${String(price)} of ${asset.coin} rounds to 0`);
    return rounded;
  }

  /** The signed size of the position an exit order closes; refused when there is none on the other side. */
  private async positionToClose(req: OrderRequest, asset: AssetInfo): Promise<Decimal> {
    const held = (await this.state()).assetPositions.find((a) => a.position.coin === asset.coin);
    const size = new Decimal(held?.position.szi ?? 0);
    if (size.isZero() || size.gt(0) === (req.side === 'BUY')) {
      throw new VenueRejection('REDUCE_ONLY_REJECTED', `${req.type} ${req.side} ${req.symbol}: no position it would close`);
    }
    return size;
  }

  private async sendOrder(order: OrderWire, grouping: 'na' | 'positionTpsl') {
    const response = await venueCall('exchange order', () => this.exchange.order({ orders: [order], grouping }));
    return response.response.data.statuses;
  }

  /** The venue accepted the order without saying how it ended: ask it by client id. */
  private async lookUpAfterPlacing(req: OrderRequest): Promise<VenueOrder> {
    const found = await this.getOrder(req.symbol, req.clientOrderId);
    if (found) return found;
    throw new VenueOutcomeUnknown(`hyperliquid: ${req.type} ${req.symbol} ${req.clientOrderId} was accepted but is not found yet`);
  }

  private async fillsSince(since: number): Promise<Fill[]> {
    const fills = await readAllSince(
      since,
      FILLS_PAGE,
      (startTime) => venueCall('info userFillsByTime', () => this.info.userFillsByTime({ user: this.user, startTime })),
      (f) => f.time,
      (f) => `${f.tid}:${f.oid}`,
    );
    return fills.filter((f) => f.time >= since);
  }

  private async fillsOfOrder(oid: number, createdAt: number): Promise<Fill[]> {
    return (await this.fillsSince(createdAt - CLOCK_SKEW_MS)).filter((f) => f.oid === oid);
  }

  /** A fill is listed right after the order's answer as a rule; wait briefly when it is not yet. */
  private async awaitFills(oid: number, since: number, totalSz: Decimal): Promise<Fill[]> {
    let fills: Fill[] = [];
    for (let attempt = 0; attempt < this.pollAttempts; attempt++) {
      fills = (await this.fillsSince(since)).filter((f) => f.oid === oid);
      if (fills.reduce((acc, f) => acc.add(f.sz), new Decimal(0)).gte(totalSz)) return fills;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
    return fills;
  }
}
