import Decimal from 'decimal.js';
import type { PaperAccountOpening, PaperBooks, PaperIncome, PaperLedger, PaperOrder, PaperPosition } from './books';

/**
 * Paper books in plain objects, for a backtest: the ledger IS the stored account, so a call changes it
 * in place and nothing is copied or saved. Order ids come from one sequence for the whole store, as
 * Postgres' bigserial does for one database. Calls on one account run one after the other, in the order
 * they came (as the Postgres books' row lock serialises them), never interleaved. A VenueRejection leaves the
 * account as the Postgres books leave it (the exchange refuses before changing anything); any other
 * error in the middle of a call cannot be undone here.
 */
export class MemoryPaperBooks implements PaperBooks {
  private readonly accounts = new Map<string, MemoryAccount>();
  private lastOrderId = 0;
  private readonly nextOrderId = () => String(++this.lastOrderId);

  withAccount<T>(opening: PaperAccountOpening, work: (ledger: PaperLedger) => Promise<T>): Promise<T> {
    let account = this.accounts.get(opening.account);
    if (!account) {
      account = new MemoryAccount(new Decimal(opening.initialBalance), opening.marketTime, this.nextOrderId);
      this.accounts.set(opening.account, account);
    }
    const ledger = account;
    const result = ledger.queue.then(() => work(ledger));
    ledger.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

class MemoryAccount implements PaperLedger {
  /** The call running on this account (the next one starts when it ends). */
  queue: Promise<void> = Promise.resolve();
  readonly positions = new Map<string, PaperPosition>();
  readonly openOrders = new Map<string, PaperOrder>();
  private readonly leverages = new Map<string, number>();
  private readonly orders = new Map<string, PaperOrder>();
  /** FILLED orders in the order they filled: fill times never decrease (the clock only moves on). */
  private readonly fills: PaperOrder[] = [];
  /** Booking order; times never decrease either. */
  private readonly incomeRows: PaperIncome[] = [];

  constructor(
    public cash: Decimal,
    public clock: number,
    private readonly nextOrderId: () => string,
  ) {}

  leverage(symbol: string): number | undefined {
    return this.leverages.get(symbol);
  }

  setCash(cash: Decimal): void {
    this.cash = cash;
  }

  setClock(marketTime: number): void {
    this.clock = marketTime;
  }

  setPosition(symbol: string, position: PaperPosition | null): void {
    if (position) this.positions.set(symbol, position);
    else this.positions.delete(symbol);
  }

  setLeverage(symbol: string, leverage: number): void {
    this.leverages.set(symbol, leverage);
  }

  addOrder(order: PaperOrder): void {
    order.orderId = this.nextOrderId();
    this.keep(order, null);
  }

  updateOrder(order: PaperOrder): void {
    this.keep(order, this.orders.get(order.clientOrderId) ?? null);
  }

  addIncome(income: PaperIncome): void {
    this.incomeRows.push(income);
  }

  findOrder(clientOrderId: string): Promise<PaperOrder | null> {
    return Promise.resolve(this.orders.get(clientOrderId) ?? null);
  }

  filledOrders(since: number, symbols: readonly string[]): Promise<PaperOrder[]> {
    const out: PaperOrder[] = [];
    for (let i = this.fills.length - 1; i >= 0 && this.fills[i]!.updateTime >= since; i--) {
      const order = this.fills[i]!;
      if (symbols.includes(order.symbol)) out.push(order);
    }
    // As the Postgres books list them: by update time, then order id.
    return Promise.resolve(out.sort((a, b) => a.updateTime - b.updateTime || Number(a.orderId) - Number(b.orderId)));
  }

  income(since: number): Promise<PaperIncome[]> {
    let i = this.incomeRows.length;
    while (i > 0 && this.incomeRows[i - 1]!.time >= since) i--;
    return Promise.resolve(this.incomeRows.slice(i));
  }

  private keep(order: PaperOrder, previous: PaperOrder | null): void {
    this.orders.set(order.clientOrderId, order);
    if (order.status === 'NEW') this.openOrders.set(order.clientOrderId, order);
    else this.openOrders.delete(order.clientOrderId);
    if (order.status === 'FILLED' && previous?.status !== 'FILLED') this.fills.push(order);
  }
}
