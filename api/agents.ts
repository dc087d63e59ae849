import { Hono, type Context } from 'hono';
import type { Selectable } from 'kysely';
import type { AgentsTable } from '../db/schema';
import type { VenuePosition } from '../venues/venue';
import { agentWorkflowId, pauseSignal, resumeSignal, stopSignal } from '../workflows/definitions';
import type { ApiDeps } from './app';
import { fail, intParam, ok } from './envelope';
import { agentStatus } from './agent-status';

type AgentRow = Selectable<AgentsTable>;

export function agentRoutes(deps: ApiDeps): Hono {
  const { db, temporal } = deps;
  const routes = new Hono();

  const findAgent = (id: string) => db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();

  /** Runs `handler` with the agent's row, or answers 404. */
  const withAgent = (handler: (c: Context, agent: AgentRow) => Promise<Response>) => async (c: Context) => {
    const agent = await findAgent(c.req.param('id') ?? '');
    return agent ? handler(c, agent) : fail(c, 404, `no agent "${(c.req.param('id') ?? '').slice(0, 100)}"`);
  };

  routes.get('/', async (c) => {
    const agents = await db.selectFrom('agents').selectAll().orderBy('id').execute();
    const equity = await latestEquity(agents.map((a) => a.id));
    return ok(c, await Promise.all(agents.map(async (a) => summarize(a, await agentStatus(temporal, a.id), equity.get(a.id)))));
  });

  routes.get('/:id', withAgent(async (c, agent) => {
    const equity = await latestEquity([agent.id]);
    const status = await agentStatus(temporal, agent.id, { live: true });
    return ok(c, { ...summarize(agent, status, equity.get(agent.id)), live: status.live });
  }));

  routes.get('/:id/account', withAgent(async (c, agent) => {
    const snap = await db.selectFrom('equity_snapshots').selectAll().where('agent_id', '=', agent.id)
      .orderBy('cycle_no', 'desc').limit(1).executeTakeFirst();
    if (!snap) return ok(c, null);
    const positions = snap.positions as VenuePosition[];
    const equity = Number(snap.equity);
    const margin = Number(snap.margin);
    return ok(c, {
      cycle: snap.cycle_no,
      market_time: snap.market_time.toISOString(),
      total_balance: equity,
      available_balance: Number(snap.cash),
      margin_used: margin,
      unrealized_pnl: Number(snap.unrealized_pnl),
      total_positions_value: positions.reduce((s, p) => s + p.quantity * p.markPrice, 0),
      used_percentage: equity > 0 ? (margin / equity) * 100 : 0,
      initial_balance: Number(agent.initial_balance),
      return_pct: (equity / Number(agent.initial_balance) - 1) * 100,
    });
  }));

  routes.get('/:id/positions', withAgent(async (c, agent) => {
    const snap = await db.selectFrom('equity_snapshots').select(['positions', 'cycle_no']).where('agent_id', '=', agent.id)
      .orderBy('cycle_no', 'desc').limit(1).executeTakeFirst();
    const positions = (snap?.positions ?? []) as VenuePosition[];
    return ok(c, positions.map((p) => ({
      symbol: p.symbol, side: p.side, position_amt: p.quantity, entry_price: p.entryPrice, mark_price: p.markPrice,
      unrealized_profit: p.unrealizedPnl, pnl_percentage: p.margin > 0 ? (p.unrealizedPnl / p.margin) * 100 : 0,
      leverage: p.leverage, liquidation_price: p.liquidationPrice, margin_type: p.marginType, margin: p.margin,
      opened_at: new Date(p.openedAt).toISOString(),
    })));
  }));

  routes.get('/:id/decisions', withAgent(async (c, agent) => {
    const page = paging(c, 50, 500);
    if (typeof page === 'string') return fail(c, 400, page);
    const rows = await db.selectFrom('cycles').selectAll().where('agent_id', '=', agent.id)
      .orderBy('cycle_no', 'desc').limit(page.limit).offset(page.offset).execute();
    return ok(c, rows.map((r) => ({
      cycle: r.cycle_no, agent_id: r.agent_id, status: r.status, timestamp: r.finished_at.toISOString(),
      market_time: r.market_time?.toISOString() ?? null, duration_ms: r.duration_ms, summary: r.summary,
      input: r.input, ai_reasoning: r.reasoning, decisions: r.decisions, risk_verdicts: r.risk_verdicts,
      execution_results: r.executions, error: r.error, llm: r.llm, llm_cost_usd: Number(r.llm_cost_usd),
    })));
  }));

  routes.get('/:id/equity-history', withAgent(async (c, agent) => {
    const page = paging(c, 500, 10_000);
    if (typeof page === 'string') return fail(c, 400, page);
    const rows = await db.selectFrom('equity_snapshots')
      .select(['cycle_no', 'market_time', 'recorded_at', 'equity', 'cash', 'margin', 'unrealized_pnl', 'position_count'])
      .where('agent_id', '=', agent.id).orderBy('cycle_no', 'desc').limit(page.limit).offset(page.offset).execute();
    return ok(c, rows.reverse().map((r) => ({
      cycle: r.cycle_no, market_time: r.market_time.toISOString(), timestamp: r.recorded_at.toISOString(),
      equity: Number(r.equity), cash: Number(r.cash), margin: Number(r.margin),
      unrealized_pnl: Number(r.unrealized_pnl), positions: r.position_count,
    })));
  }));

  routes.get('/:id/trades', withAgent(async (c, agent) => {
    const page = paging(c, 100, 1000);
    if (typeof page === 'string') return fail(c, 400, page);
    const status = c.req.query('status');
    if (status !== undefined && status !== 'open' && status !== 'closed') {
      return fail(c, 400, `query parameter "status" must be open or closed, got "${status.slice(0, 40)}"`);
    }
    let q = db.selectFrom('trades').selectAll().where('agent_id', '=', agent.id);
    if (status) q = q.where('status', '=', status);
    const rows = await q.orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute();
    return ok(c, rows.map((t) => ({
      id: Number(t.id), symbol: t.symbol, side: t.side, status: t.status, quantity: Number(t.quantity),
      leverage: t.leverage, margin: Number(t.margin), entry_price: Number(t.entry_price),
      exit_price: num(t.exit_price), stop_loss: num(t.stop_loss), take_profit: num(t.take_profit),
      opened_at: t.opened_at.toISOString(), closed_at: t.closed_at?.toISOString() ?? null,
      open_cycle: t.open_cycle, close_cycle: t.close_cycle, fees: Number(t.fees), funding: Number(t.funding),
      realized_pnl: num(t.realized_pnl), pnl: num(t.pnl),
      return_on_margin_pct: t.pnl === null ? null : (Number(t.pnl) / Number(t.margin)) * 100,
      close_reason: t.close_reason,
    })));
  }));

  const control = (name: 'pause' | 'resume' | 'stop') => withAgent(async (c, agent) => {
    const handle = temporal.workflow.getHandle(agentWorkflowId(agent.id));
    const reason = `${name} via API`;
    try {
      if (name === 'pause') await handle.signal(pauseSignal, { reason });
      else if (name === 'resume') await handle.signal(resumeSignal);
      else await handle.signal(stopSignal, { reason });
    } catch (err) {
      return fail(c, 409, `agent ${agent.id} is not running: ${err instanceof Error ? err.message : String(err)}`);
    }
    return ok(c, { agent_id: agent.id, signal: name, accepted: true });
  });
  routes.post('/:id/pause', control('pause'));
  routes.post('/:id/resume', control('resume'));
  routes.post('/:id/stop', control('stop'));

  async function latestEquity(ids: string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('equity_snapshots').select(['agent_id', 'equity'])
      .distinctOn('agent_id').where('agent_id', 'in', ids).orderBy('agent_id').orderBy('cycle_no', 'desc').execute();
    return new Map(rows.map((r) => [r.agent_id, Number(r.equity)]));
  }

  return routes;
}

function summarize(a: AgentRow, status: Awaited<ReturnType<typeof agentStatus>>, equity: number | undefined) {
  const config = a.config as { strategy?: { tradingStyle?: string } };
  const initial = Number(a.initial_balance);
  return {
    id: a.id,
    name: a.name,
    status: status.status,
    status_reason: status.reason,
    uptime: status.startedAt ? Math.round((Date.now() - status.startedAt.getTime()) / 1000) : 0,
    cycle_count: a.cycle_count,
    last_decision_time: a.last_cycle_at?.toISOString() ?? null,
    last_cycle_status: a.last_cycle_status,
    venue: a.venue,
    account: a.account,
    equity: equity ?? initial,
    initial_balance: initial,
    return_pct: ((equity ?? initial) / initial - 1) * 100,
    config: { model: a.model, provider: a.provider, trading_style: config.strategy?.tradingStyle ?? null },
  };
}

function paging(c: Context, defaultLimit: number, maxLimit: number): { limit: number; offset: number } | string {
  const limit = intParam(c, 'limit', defaultLimit, maxLimit);
  if (typeof limit === 'string') return limit;
  const offset = intParam(c, 'offset', 0, 1_000_000_000);
  if (typeof offset === 'string') return offset;
  return { limit, offset };
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));
