import { ApplicationFailure } from '@temporalio/common';
import type { DecisionMakerConfig, ExchangeConfig, RiskLimits } from '../arena-config/types';
import { baselineDecisionMaker } from '../decisions/baselines';
import type { AccountView, DecisionInput, DecisionOutput, PositionView } from '../decisions/types';
import { ExecutionResult, executeOrders as runOrders } from '../execution/execute-orders';
import { ClosedTrade, reconcileClosedTrades } from '../ledger/trades';
import { ReplayEndedError } from '../market/replay';
import { SymbolSnapshot, fetchSymbolSnapshot } from '../market/snapshot';
import { PlannedOrder, RiskVerdict, preTradeCheck } from '../risk/pre-trade-check';
import { openVenue } from '../venues/open-venue';
import type { SymbolRules, Venue } from '../venues/venue';
import type { ActivityDeps } from './deps';

/** Identifies the agent's account on its venue; small enough to pass to every activity. */
export interface AccountRef {
  agentId: string;
  exchange: ExchangeConfig;
  initialBalance: number;
}

export interface SyncResult {
  marketTime: number;
  account: AccountView;
  positions: PositionView[];
  /** Trades the venue closed since the last cycle (stop-loss, take-profit, liquidation, by hand). */
  closedTrades: ClosedTrade[];
}

export interface MarketPrices {
  marketTime: number;
  prices: Record<string, number>;
}

export interface DecideInput extends DecisionInput {
  decisionMaker: DecisionMakerConfig;
}

export interface RiskCheckInput {
  ref: AccountRef;
  marketTime: number;
  decisions: DecisionOutput['decisions'];
  account: AccountView;
  positions: PositionView[];
  prices: Record<string, number>;
  risk: RiskLimits;
  safeMode: boolean;
}

export interface ExecuteInput {
  ref: AccountRef;
  cycleNo: number;
  marketTime: number;
  orders: PlannedOrder[];
}

export interface ExecuteResult {
  executions: ExecutionResult[];
  closedTrades: ClosedTrade[];
}

export function createTradingActivities(deps: ActivityDeps) {
  const venueAt = (ref: AccountRef, asOf: number): Venue => openVenue(deps, ref.exchange, ref.initialBalance, asOf);

  return {
    /** Balance, positions and protective orders from the venue; trades it closed are booked first. */
    async syncAccount(ref: AccountRef, cycleNo: number): Promise<SyncResult> {
      const marketTime = marketTimeFor(deps, cycleNo);
      const venue = venueAt(ref, marketTime);
      const closedTrades = await reconcileClosedTrades(deps.db, venue, ref.agentId, cycleNo);
      const [balance, positions, orders] = await Promise.all([venue.balance(), venue.positions(), venue.openOrders()]);
      const trigger = (symbol: string, type: string) =>
        orders.find((o) => o.symbol === symbol && o.type === type)?.stopPrice ?? null;
      return {
        marketTime,
        account: {
          equity: balance.equity, available: balance.availableBalance,
          marginUsed: balance.marginUsed, unrealizedPnl: balance.unrealizedPnl,
        },
        positions: positions.map((p) => ({
          symbol: p.symbol, side: p.side, quantity: p.quantity, entryPrice: p.entryPrice, markPrice: p.markPrice,
          unrealizedPnl: p.unrealizedPnl, leverage: p.leverage, margin: p.margin, liquidationPrice: p.liquidationPrice,
          stopLoss: trigger(p.symbol, 'STOP_MARKET'), takeProfit: trigger(p.symbol, 'TAKE_PROFIT_MARKET'),
          openedAt: p.openedAt,
        })),
        closedTrades,
      };
    },

    /** Pulls the cycle's candles through the shared source (and its cache) and returns the prices. */
    async fetchMarketData(symbols: string[], marketTime: number): Promise<MarketPrices> {
      const prices: Record<string, number> = {};
      await Promise.all(symbols.map(async (symbol) => {
        const [last] = await deps.market.candles(symbol, '3m', marketTime, 100);
        await deps.market.candles(symbol, '4h', marketTime, 100);
        if (!last) throw ApplicationFailure.nonRetryable(`no candles for ${symbol} at ${new Date(marketTime).toISOString()}`, 'NoMarketData');
        prices[symbol] = last.close;
      }));
      return { marketTime, prices };
    },

    /** Indicators on 3m and 4h per symbol, as a compact snapshot (no candles leave the activity). */
    async computeIndicators(symbols: string[], marketTime: number): Promise<SymbolSnapshot[]> {
      return Promise.all(symbols.map((symbol) => fetchSymbolSnapshot(deps.market, symbol, marketTime)));
    },

    async decide(input: DecideInput): Promise<DecisionOutput> {
      const { decisionMaker, ...decisionInput } = input;
      if (decisionMaker.provider !== 'rule_based') {
        throw ApplicationFailure.nonRetryable(`no decision maker for provider "${decisionMaker.provider}" in this version`, 'DecisionMakerUnavailable');
      }
      return baselineDecisionMaker(decisionMaker.model).decide(decisionInput);
    },

    async riskCheck(input: RiskCheckInput): Promise<RiskVerdict[]> {
      const venue = venueAt(input.ref, input.marketTime);
      const rules: Record<string, SymbolRules> = {};
      for (const symbol of Object.keys(input.prices)) rules[symbol] = await venue.symbolRules(symbol);
      return preTradeCheck({
        decisions: input.decisions, account: input.account, positions: input.positions, prices: input.prices,
        rules, limits: input.risk, takerFeeRate: input.ref.exchange.takerFeeRate, safeMode: input.safeMode,
      });
    },

    async executeOrders(input: ExecuteInput): Promise<ExecuteResult> {
      const venue = venueAt(input.ref, input.marketTime);
      const ctx = { db: deps.db, venue, agentId: input.ref.agentId, cycleNo: input.cycleNo };
      const executions = await runOrders(ctx, input.orders);
      const closedTrades = await reconcileClosedTrades(deps.db, venue, input.ref.agentId, input.cycleNo);
      return { executions, closedTrades };
    },
  };
}

function marketTimeFor(deps: ActivityDeps, cycleNo: number): number {
  try {
    return deps.clock.timeForCycle(cycleNo);
  } catch (err) {
    if (err instanceof ReplayEndedError) throw ApplicationFailure.nonRetryable(err.message, 'ReplayEnded');
    throw err;
  }
}

