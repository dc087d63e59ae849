import Decimal from 'decimal.js';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema';
import type { MarketDataSource } from '../../market/types';
import {
  type OrderRequest,
  type SymbolRules,
  type Venue,
  type VenueBalance,
  type VenueIncome,
  type VenueOrder,
  type VenuePosition,
  VenueRejection,
} from '../venue';
import type { PaperBooks, PaperLedger } from './books';
import type { PaperTerms } from './fills';
import { acceptConditionalOrder, cancelOrder, fillMarketOrder, setLeverage } from './orders';
import { PostgresPaperBooks } from './postgres-books';
import { marketMoves, settleMoves } from './settlement';
import { PAPER_SYMBOL_RULES, type PaperSymbolRules } from './symbol-table';
import { balanceOf, markPrice, positionsOf, toVenueIncome, toVenueOrder } from './views';

export interface PaperVenueOptions {
  /** Where the account lives: PaperVenue.postgresBooks(db) for the arena, new MemoryPaperBooks() for a backtest. */
  books: PaperBooks;
  market: MarketDataSource;
  account: string;
  initialBalance: number;
  takerFeeRate: number;
  slippageRate: number;
  /** The market clock of this call (epoch ms): prices, triggers and funding are settled up to it. */
  asOf: number;
}

/**
 * A simulated USD-M perpetual exchange. Every call works on the account's books alone (see PaperBooks),
 * first settles what happened in the market since the account's clock (stop-loss / take-profit
 * triggers and liquidations from bar highs and lows, funding: settlement.ts), then does its work.
 * Market orders fill at the last closed bar's close plus slippage and pay the taker fee; margin is
 * isolated, with Binance's maintenance margin brackets (margin-brackets.ts).
 */
export class PaperVenue implements Venue {
  readonly venue = 'paper';
  readonly account: string;
  private readonly terms: PaperTerms;

  /** The arena's books: the paper_* tables of this database. */
  static postgresBooks(db: Kysely<Database>): PaperBooks {
    return new PostgresPaperBooks(db);
  }

  constructor(private readonly opts: PaperVenueOptions) {
    this.account = opts.account;
    this.terms = {
      takerFeeRate: new Decimal(opts.takerFeeRate),
      slippageRate: new Decimal(opts.slippageRate),
      rules: rulesOf,
    };
  }

  async symbolRules(symbol: string): Promise<SymbolRules> {
    return rulesOf(symbol);
  }

  balance(): Promise<VenueBalance> {
    return this.inAccount((ledger, now) => balanceOf(ledger, this.opts.market, now));
  }

  positions(): Promise<VenuePosition[]> {
    return this.inAccount((ledger, now) => positionsOf(ledger, this.terms, this.opts.market, now));
  }

  openOrders(symbol?: string): Promise<VenueOrder[]> {
    return this.inAccount(async (ledger) => {
      const open = [...ledger.openOrders.values()];
      return (symbol ? open.filter((o) => o.symbol === symbol) : open).map(toVenueOrder);
    });
  }

  async getOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const order = await this.inAccount((ledger) => ledger.findOrder(clientOrderId));
    return order && order.symbol === symbol ? toVenueOrder(order) : null;
  }

  async filledOrders(since: number, symbols: readonly string[]): Promise<VenueOrder[]> {
    if (symbols.length === 0) return [];
    return (await this.inAccount((ledger) => ledger.filledOrders(since, symbols))).map(toVenueOrder);
  }

  async income(since: number): Promise<VenueIncome[]> {
    return (await this.inAccount((ledger) => ledger.income(since))).map(toVenueIncome);
  }

  setLeverage(symbol: string, leverage: number): Promise<void> {
    return this.inAccount((ledger, now) =>
      setLeverage(ledger, this.terms, symbol, leverage, () => markPrice(this.opts.market, symbol, now)),
    );
  }

  setMarginType(symbol: string, marginType: 'isolated' | 'cross'): Promise<void> {
    return this.inAccount(async () => {
      rulesOf(symbol);
      if (marginType !== 'isolated') {
        throw new VenueRejection('MARGIN_TYPE_UNSUPPORTED', 'paper venue: only isolated margin is simulated');
      }
    });
  }

  async placeOrder(req: OrderRequest): Promise<VenueOrder> {
    // Mapped once the books have saved it: that is when a new order gets its id.
    const order = await this.inAccount(async (ledger, now) => {
      rulesOf(req.symbol);
      if (await ledger.findOrder(req.clientOrderId)) {
        throw new VenueRejection('DUPLICATE_CLIENT_ORDER_ID', `client order id ${req.clientOrderId} was already used`);
      }
      const mark = () => markPrice(this.opts.market, req.symbol, now);
      if (req.type === 'MARKET') return fillMarketOrder(ledger, this.terms, req, await mark(), now);
      return acceptConditionalOrder(ledger, this.terms, req, mark, now);
    });
    return toVenueOrder(order);
  }

  async cancelOrder(symbol: string, clientOrderId: string): Promise<VenueOrder | null> {
    const order = await this.inAccount((ledger, now) => cancelOrder(ledger, symbol, clientOrderId, now));
    return order ? toVenueOrder(order) : null;
  }

  /** Runs `work` on the account's books after settling the market up to the call's clock. */
  private inAccount<T>(work: (ledger: PaperLedger, now: number) => Promise<T>): Promise<T> {
    const { books, market, account, initialBalance, asOf } = this.opts;
    return books.withAccount({ account, initialBalance, marketTime: asOf }, async (ledger) => {
      // The clock never runs backwards: a retried call for an earlier cycle sees the present books.
      const now = Math.max(ledger.clock, asOf);
      if (now > ledger.clock) {
        const symbols = [...ledger.positions.keys()];
        const moves = symbols.length > 0 ? await marketMoves(market, symbols, ledger.clock, now) : [];
        settleMoves(ledger, this.terms, moves, now);
      }
      return work(ledger, now);
    });
  }
}

function rulesOf(symbol: string): PaperSymbolRules {
  const rules = PAPER_SYMBOL_RULES[symbol];
  if (!rules) throw new VenueRejection('UNKNOWN_SYMBOL', `paper venue: unknown symbol ${symbol}`);
  return rules;
}
