import { ApplicationFailure } from '@temporalio/common';
import type { ExchangeConfig, RiskLimits } from '../arena-config/types';
import type { AccountView, DecisionOutput, PositionView } from '../decisions/types';
import { ExecutionPlan, ExecutionResult, ProtectionPlan, executeOrders as runOrders } from '../execution/execute-orders';
import { Fence, FencingRejected } from '../execution/fencing';
import { ClosedTrade, reconcileClosedTrades } from '../ledger/trades';
import { ReplayEndedError } from '../market/replay';
import { SymbolSnapshot, fetchSymbolSnapshot } from '../market/snapshot';
import { evaluateDecisions } from '../risk/engine';
import type { RiskVerdict } from '../risk/types';
import { riskHistory } from '../ledger/risk-history';
import { openVenue } from '../venues/open-venue';
import { roundPrice } from '../venues/symbol-rules';
import type { SymbolRules, Venue, VenuePosition } from '../venues/venue';
import type { ActivityDeps } from './deps';

/** Identifies the agent's account on its venue; small enough to pass to every activity. */
export interface AccountRef {
  agentId: string;
  exchange: ExchangeConfig;
  initialBalance: number;
}

export interface SyncInput {
  ref: AccountRef;
  cycleNo: number;
  /** For the default stop-loss / take-profit of a position found unprotected. */
  risk: RiskLimits;
  /** The agent's symbols: on a shared account it protects and cleans up only these. */
  symbols: string[];
}

export interface SyncResult {
  marketTime: number;
  account: AccountView;
  positions: PositionView[];
  /** Trades the venue closed since the last cycle (stop-loss, take-profit, liquidation, by hand). */
  closedTrades: ClosedTrade[];
  /** Positions missing a stop-loss or take-profit on the venue, with the prices to put back. */
  unprotected: ProtectionPlan[];
  /** Stop-loss / take-profit orders left on symbols that hold no position any more. */
  leftoverOrders: ExecutionPlan['cancel'];
}

export interface MarketPrices {
  marketTime: number;
  prices: Record<string, number>;
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

export interface ExecuteInput extends ExecutionPlan {
  ref: AccountRef;
  cycleNo: number;
  marketTime: number;
  fence: Fence;
}

export interface ExecuteResult {
  executions: ExecutionResult[];
  closedTrades: ClosedTrade[];
}

export function createTradingActivities(deps: ActivityDeps) {
  const venueAt = (ref: AccountRef, asOf: number): Venue => openVenue(deps, ref.exchange, ref.initialBalance, asOf);

  return {
    /** Balance, positions and protective orders from the venue; trades it closed are booked first. */
    async syncAccount({ ref, cycleNo, risk, symbols }: SyncInput): Promise<SyncResult> {
      const marketTime = marketTimeFor(deps, cycleNo);
      const venue = venueAt(ref, marketTime);
      const closedTrades = await reconcileClosedTrades(deps.db, venue, ref.agentId, cycleNo);
      const [balance, positions, orders] = await Promise.all([venue.balance(), venue.positions(), venue.openOrders()]);
      const trigger = (symbol: string, type: string) =>
        orders.find((o) => o.symbol === symbol && o.type === type)?.stopPrice ?? null;
      // On an account shared with other agents, each agent looks after its own symbols only.
      const mine = new Set(symbols);
      const held = new Set(positions.map((p) => p.symbol));
      const unprotected: ProtectionPlan[] = [];
      for (const p of positions.filter((x) => mine.has(x.symbol))) {
        const missingStop = trigger(p.symbol, 'STOP_MARKET') === null;
        const missingTarget = trigger(p.symbol, 'TAKE_PROFIT_MARKET') === null;
        if (!missingStop && !missingTarget) continue;
        const planned = await protectionPrices(deps, ref.agentId, venue, p, risk);
        unprotected.push({
          symbol: p.symbol, side: p.side, quantity: p.quantity,
          ...(missingStop ? { stopLoss: planned.stopLoss } : {}), ...(missingTarget ? { takeProfit: planned.takeProfit } : {}),
        });
      }
      const leftoverOrders = orders.filter((o) => mine.has(o.symbol) && !held.has(o.symbol) && o.type !== 'MARKET')
        .map((o) => ({ symbol: o.symbol, clientOrderId: o.clientOrderId }));
      return {
        unprotected,
        leftoverOrders,
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

    /** Every limit of the agent, in code, on fresh balances and the agent's own history. */
    async riskCheck(input: RiskCheckInput): Promise<RiskVerdict[]> {
      const venue = venueAt(input.ref, input.marketTime);
      const rules: Record<string, SymbolRules> = {};
      for (const symbol of Object.keys(input.prices)) rules[symbol] = await venue.symbolRules(symbol);
      const history = await riskHistory(deps.db, input.ref.agentId, input.marketTime, input.account.equity);
      return evaluateDecisions({
        now: input.marketTime, account: input.account, positions: input.positions, prices: input.prices, rules,
        limits: input.risk, takerFeeRate: input.ref.exchange.takerFeeRate, safeMode: input.safeMode, ...history,
      }, input.decisions);
    },

    async executeOrders(input: ExecuteInput): Promise<ExecuteResult> {
      const venue = venueAt(input.ref, input.marketTime);
      const ctx = { db: deps.db, venue, agentId: input.ref.agentId, cycleNo: input.cycleNo, fence: input.fence };
      try {
        const executions = await runOrders(ctx, input);
        const closedTrades = await reconcileClosedTrades(deps.db, venue, input.ref.agentId, input.cycleNo);
        return { executions, closedTrades };
      } catch (err) {
        if (err instanceof FencingRejected) throw ApplicationFailure.nonRetryable(err.message, 'FencingRejected');
        throw err;
      }
    },
  };
}

/** Where to put back a missing protection: the trade's own prices, else the agent's percentages. */
async function protectionPrices(
  deps: ActivityDeps, agentId: string, venue: Venue, p: VenuePosition, risk: RiskLimits,
): Promise<{ stopLoss: string; takeProfit: string }> {
  const trade = await deps.db.selectFrom('trades').select(['stop_loss', 'take_profit'])
    .where('agent_id', '=', agentId).where('symbol', '=', p.symbol).where('status', '=', 'open')
    .orderBy('id', 'desc').executeTakeFirst();
  const rules = await venue.symbolRules(p.symbol);
  const sign = p.side === 'long' ? 1 : -1;
  return {
    stopLoss: trade?.stop_loss ?? roundPrice(p.entryPrice * (1 - (sign * risk.stopLossPct) / 100), rules),
    takeProfit: trade?.take_profit ?? roundPrice(p.entryPrice * (1 + (sign * risk.takeProfitPct) / 100), rules),
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

