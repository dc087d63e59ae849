/**
 * Local mock servers (127.0.0.1, free port) that speak the Binance USD-M futures and Aster futures
 * v3 wire protocols, on one shared engine, for the conformance suite and full agent-cycle tests:
 *
 *   const binance = await startBinanceMock({ accounts: [{ apiKey, apiSecret }], prices: { BTCUSDT: 60000 } });
 *   const aster = await startAsterMock({ accounts: [{ user, signer }], testnet: true });
 *   ...adapter with baseUrl = binance.url...
 *   binance.setPrice('BTCUSDT', 58000);            // fires crossed stops
 *   binance.failNext({ method: 'POST', path: '/fapi/v1/order' }, { status: 503, afterProcessing: true });
 *   await binance.close();
 *
 * What they check, as the venues do: authentication (Binance HMAC + timestamp/recvWindow; Aster
 * EIP-712 + nonces), mandatory parameters, formats, precision and every symbol filter, margin,
 * reduce-only, immediate triggers, client order ids, leverage / margin type / position mode rules,
 * request weight and order-count limits with 429 / 418 bans. Errors are HTTP 400 (401 for keys) with
 * `{"code","msg"}`; answers have the shapes of test/fixtures/venues/{binance,aster}. Public market data:
 * klines, prices, funding history and intervals (fundingInfo), and on Binance open interest, now and
 * its 5-minute statistics (Aster documents neither).
 *
 * Behaviour choices where the venues leave room:
 * - POST order answers ACK by default, sent as before matching: a MARKET order shows NEW with
 *   executedQty 0 although it has filled (query it, or send newOrderRespType=RESULT).
 * - MARKET fills whole at the current price (slippageRate, default 0, against the taker), taker fee
 *   0.0004 (Binance) / 0.00035 (Aster); a resting LIMIT fills at its price with the maker fee
 *   0.0002 / 0.0001.
 * - MIN_NOTIONAL values MARKET and *_MARKET orders at the current price, limit orders at their price;
 *   reduce-only and closePosition orders are exempt.
 * - Reduce-only conditional orders are accepted without a position; when they trigger they close at
 *   most the position and EXPIRE with nothing to close.
 * - closePosition orders stay NEW after their position is closed (until cancelled); one that triggers
 *   with nothing to close becomes EXPIRED (Binance: the algo order FINISHED, its actual order EXPIRED).
 * - Binance algo trigger: algoStatus NEW → TRIGGERED → FINISHED once its actual order is done;
 *   `actualOrderId` is a regular MARKET order (origType = the algo's type, its own random
 *   clientOrderId). Aster's conditional order executes itself (type stays STOP_MARKET, status FILLED).
 * - Maintenance margin and the leverage allowed by notional follow each symbol's brackets, served by
 *   GET leverageBracket (the six arena symbols: Binance's own, bundled with the paper venue; others
 *   illustrative). A leverage or a fill beyond what the position's bracket allows is -2027.
 * - Liquidation on setPrice (isolated: beyond the liquidation price; cross: equity <= maintenance):
 *   a MARKET order with clientOrderId `autoclose-...`; the rest of an isolated margin is written as
 *   INSURANCE_CLEAR income. `liquidations: false` turns this off.
 * - Trailing stops are not simulated (-1116); Aster's duplicate-nonce answer is -4226 "Nonce
 *   Duplicated" and a nonce outside ±10 s is -1021 (both texts invented: undocumented).
 * - failNext faults do not touch the rate-limit state; only real over-limit answers lead to bans.
 * - positionRisk lists only non-zero positions. Leverage defaults to 20 (capped by the symbol's
 *   maximum), margin type to CROSSED, position mode to one-way.
 */
import Decimal from 'decimal.js';
import { AsterAuth } from './aster-auth';
import { BinanceAuth } from './binance-auth';
import { Engine } from './engine';
import type { MockCandles } from './klines';
import type { MarginType } from './model';
import { RateLimits } from './rate-limits';
import { type RouteConfig, buildRoutes } from './routes';
import { type BinanceFamilyMock, serve } from './server';
import { DEFAULT_PRICES, type MockSymbolSpec, symbolSpecs } from './symbols';
import type { FlavourName, RateLimitConfig } from './views';

export type {
  BinanceFamilyMock,
  MockAlgoOrderState,
  MockBalance,
  MockIncomeState,
  MockOrderState,
  MockPosition,
  MockTradeState,
} from './server';
export type { MockCandles } from './klines';
export type { MockSymbolSpec } from './symbols';

export interface BinanceFamilyOptions {
  /** Starting wallet balance (USDT) of every account without its own `balance`. Default 10 000. */
  initialBalance?: number;
  /** Starting prices, over the defaults (BTCUSDT 60000, ETHUSDT 3000, SOLUSDT 150, BNBUSDT 600, DOGEUSDT 0.15, XRPUSDT 0.6, ASTERUSDT 1.2). */
  prices?: Record<string, number>;
  /** Bars served by klines (else flat bars at the current price). */
  candles?: MockCandles;
  /** Funding history served by fundingRate (payFunding adds to it). */
  fundingRates?: Record<string, Array<{ time: number; rate: number }>>;
  /**
   * Funding interval (hours) by symbol, served by fundingInfo: Binance lists only these (the others
   * settle every 8 hours), Aster lists every symbol (8 unless given here).
   */
  fundingIntervals?: Record<string, number>;
  /** Symbol rules over (or beside) the paper symbol table. */
  symbols?: Record<string, Partial<MockSymbolSpec>>;
  /** REQUEST_WEIGHT per minute per IP. Default 2400. */
  requestWeightPerMinute?: number;
  /** ORDERS per 10 s per account. Default 300. */
  ordersPer10s?: number;
  /** ORDERS per minute per account. Default 1200. */
  ordersPerMinute?: number;
  /** First ban's length; each further ban doubles it (max 3 days). Default 120. */
  banSeconds?: number;
  /** Requests sent during a 429 back-off before the IP is banned (418). Default 1. */
  banAfterIgnoredBackOffs?: number;
  /** Every account starts in hedge (dual-side) mode. Default false (one-way). */
  hedgeMode?: boolean;
  /** Default 20 (capped by the symbol's maximum). */
  defaultLeverage?: number;
  /** Default CROSSED, as on the venues. */
  defaultMarginType?: MarginType;
  /** Default 0.0004 (Binance) / 0.00035 (Aster). */
  takerFeeRate?: number;
  /** Default 0.0002 (Binance) / 0.0001 (Aster). */
  makerFeeRate?: number;
  /** Market fills move this fraction against the taker. Default 0. */
  slippageRate?: number;
  /** Liquidate positions on setPrice. Default true. */
  liquidations?: boolean;
  /** Server clock (ms). Default Date.now. */
  now?: () => number;
}

export interface BinanceMockAccount {
  apiKey: string;
  apiSecret: string;
  /** Name for balanceOf & co. Default: the apiKey. */
  id?: string;
  /** Starting balance (USDT); default options.initialBalance. */
  balance?: number;
  /** Start this account in hedge mode. */
  hedgeMode?: boolean;
}

export interface BinanceMockOptions extends BinanceFamilyOptions {
  accounts: BinanceMockAccount[];
  /** Extra open interest by symbol on top of the accounts' long positions. */
  openInterest?: Record<string, number>;
  /** Records served by GET /futures/data/openInterestHist (a period's records are those at multiples of it). */
  openInterestHistory?: Record<string, Array<{ time: number; openInterest: number }>>;
}

export interface AsterMockAccount {
  /** Main account address; names the account (any case) in balanceOf & co. */
  user: string;
  /** API wallet registered for it (several entries may share a user). */
  signer: string;
  balance?: number;
  hedgeMode?: boolean;
}

export interface AsterMockOptions extends BinanceFamilyOptions {
  accounts: AsterMockAccount[];
  /** Testnet signs with chainId 714, mainnet with 1666. Default false. */
  testnet?: boolean;
  /** Overrides the chainId that testnet implies. */
  chainId?: number;
}

export async function startBinanceMock(options: BinanceMockOptions): Promise<BinanceFamilyMock> {
  const engine = makeEngine('binance', options);
  const ids = new Map<string, string>();
  for (const account of options.accounts) {
    const id = account.id ?? account.apiKey;
    engine.addAccount(id, account.balance ?? options.initialBalance ?? 10_000, account.hedgeMode ?? options.hedgeMode ?? false);
    ids.set(id, id);
    ids.set(account.apiKey, id);
  }
  const auth = new BinanceAuth(
    options.accounts.map((a) => ({ apiKey: a.apiKey, apiSecret: a.apiSecret, account: a.id ?? a.apiKey })),
    engine.config.now,
  );
  return start('binance', engine, options, auth, (name) => ids.get(name) ?? name, {
    openInterest: options.openInterest,
    openInterestHistory: options.openInterestHistory,
  });
}

export async function startAsterMock(options: AsterMockOptions): Promise<BinanceFamilyMock> {
  const engine = makeEngine('aster', options);
  for (const account of options.accounts) {
    engine.addAccount(
      account.user.toLowerCase(),
      account.balance ?? options.initialBalance ?? 10_000,
      account.hedgeMode ?? options.hedgeMode ?? false,
    );
  }
  const auth = new AsterAuth({
    chainId: options.chainId ?? (options.testnet ? 714 : 1666),
    wallets: options.accounts.map((a) => ({ user: a.user, signer: a.signer })),
    now: engine.config.now,
  });
  return start('aster', engine, options, auth, (name) => name.toLowerCase());
}

function makeEngine(flavour: FlavourName, options: BinanceFamilyOptions): Engine {
  const binance = flavour === 'binance';
  const engine = new Engine({
    flavour,
    symbols: symbolSpecs(flavour, options.symbols),
    prices: { ...DEFAULT_PRICES, ...options.prices },
    takerFeeRate: new Decimal(options.takerFeeRate ?? (binance ? 0.0004 : 0.00035)),
    makerFeeRate: new Decimal(options.makerFeeRate ?? (binance ? 0.0002 : 0.0001)),
    slippageRate: new Decimal(options.slippageRate ?? 0),
    defaultLeverage: options.defaultLeverage ?? 20,
    defaultMarginType: options.defaultMarginType ?? 'CROSSED',
    liquidations: options.liquidations ?? true,
    now: options.now ?? Date.now,
  });
  for (const [symbol, rates] of Object.entries(options.fundingRates ?? {})) {
    for (const { time, rate } of rates) engine.recordFunding(symbol, time, rate);
  }
  return engine;
}

function start(
  flavour: FlavourName,
  engine: Engine,
  options: BinanceFamilyOptions,
  auth: BinanceAuth | AsterAuth,
  accountId: (name: string) => string,
  openInterestData: Pick<RouteConfig, 'openInterest' | 'openInterestHistory'> = {},
): Promise<BinanceFamilyMock> {
  const limitConfig: RateLimitConfig = {
    requestWeightPerMinute: options.requestWeightPerMinute ?? 2400,
    ordersPerMinute: options.ordersPerMinute ?? 1200,
    ordersPer10s: options.ordersPer10s ?? 300,
  };
  const limits = new RateLimits({
    ...limitConfig,
    banSeconds: options.banSeconds ?? 120,
    banAfterIgnoredBackOffs: options.banAfterIgnoredBackOffs ?? 1,
    now: engine.config.now,
  });
  const routes = buildRoutes({
    flavour,
    engine,
    limits: limitConfig,
    candles: options.candles,
    fundingIntervals: options.fundingIntervals,
    ...openInterestData,
  });
  return serve({ flavour, engine, routes, auth, limits, accountId });
}
