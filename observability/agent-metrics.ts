/**
 * Each agent's state as gauges, read when scraped from what the API reads too: the records (the
 * account after the last cycle, its time) and the agent's workflow (status, safe mode). One process
 * reports them whatever the number of workers, and never a value a worker kept from an earlier cycle.
 */
import { Gauge, Registry } from 'prom-client';
import type { AgentStates } from '../api/agent-state';
import type { ApiDeps } from '../api/deps';
import { listAgents } from '../db/agents';
import { lastSnapshot } from '../db/equity-snapshots';

export interface AgentMetrics {
  /** The gauges as text, read now. */
  metrics(): Promise<string>;
}

export function agentMetrics(deps: ApiDeps & { states: AgentStates }): AgentMetrics {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: readonly string[] = ['agent']) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const equity = gauge('arena_equity_usdt', "Equity after the agent's last recorded cycle (USDT)");
  const unrealized = gauge('arena_unrealized_pnl_usdt', 'Unrealised PnL of the open positions after the last recorded cycle (USDT)');
  const margin = gauge('arena_margin_used_usdt', 'Margin in use after the last recorded cycle (USDT)');
  const positions = gauge('arena_open_positions', 'Open positions after the last recorded cycle');
  const lastCycle = gauge('arena_agent_last_cycle_timestamp_seconds', "When the agent's last cycle was recorded (Unix time)");
  const status = gauge(
    'arena_agent_status',
    "The agent's status: 1 for the one it is in (running, paused, stopped, finished, failed, not_started, unknown)",
    ['agent', 'status'],
  );
  const safeMode = gauge(
    'arena_safe_mode',
    'Whether the agent is in safe mode, no new positions (1) or not (0); absent when no worker answers',
  );

  const read = async () => {
    const agents = await listAgents(deps.db);
    const rows = await Promise.all(
      agents.map(async (agent) => ({
        agent,
        snapshot: await lastSnapshot(deps.db, agent.id),
        state: await deps.states.status(agent.id, { live: true }),
      })),
    );
    registry.resetMetrics();
    for (const { agent, snapshot, state } of rows) {
      const labels = { agent: agent.id };
      if (snapshot) {
        equity.set(labels, Number(snapshot.equity));
        unrealized.set(labels, Number(snapshot.unrealized_pnl));
        margin.set(labels, Number(snapshot.margin));
        positions.set(labels, snapshot.position_count);
      }
      if (agent.last_cycle_at) lastCycle.set(labels, agent.last_cycle_at.getTime() / 1000);
      status.set({ ...labels, status: state.status }, 1);
      if (state.live) safeMode.set(labels, state.live.safeMode ? 1 : 0);
    }
    return registry.metrics();
  };
  // One read at a time: a scrape never sees another's half-set gauges.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    metrics() {
      const text = queue.then(read);
      queue = text.catch(() => undefined);
      return text;
    },
  };
}
