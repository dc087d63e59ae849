/**
 * The time-based alerts: an agent whose workflow stopped (or finished, or was terminated), and a
 * running agent that has recorded no cycle for too long. Each agent in the records is looked up in
 * Temporal (its workflow's latest run and its AgentStatus) and in the agents table (its last cycle).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { AlertSettings } from '../arena-config/types';
import { listAgents, type AgentRow } from '../db/agents';
import { alertEventExists, recordAlertEvents } from '../db/alerts';
import type { Database } from '../db/schema';
import { type AgentState, agentWorkflowId } from '../workflows/definitions';
import { AgentStatusAttr } from '../workflows/search-attributes';
import { type AgentLiveness, STOPPED_LOOKBACK_MS, agentStoppedKey, detectTimedAlerts } from './detect';

/** Raises the time-based alerts; how many outbox rows are new. */
export async function checkAgents(db: Kysely<Database>, temporal: Client, settings: AlertSettings): Promise<number> {
  const agents = await listAgents(db);
  const found = await Promise.all(agents.map((agent) => livenessOf(db, temporal, agent)));
  const events = detectTimedAlerts(
    found.filter((a): a is AgentLiveness => a !== null),
    settings.thresholds,
    Date.now(),
  );
  return recordAlertEvents(
    db,
    events,
    settings.channels.map((c) => c.name),
  );
}

async function livenessOf(db: Kysely<Database>, temporal: Client, agent: AgentRow): Promise<AgentLiveness | null> {
  const handle = temporal.workflow.getHandle(agentWorkflowId(agent.id));
  const run = await handle.describe().catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  });
  if (!run) return null;
  const executionStatus = run.status.name;
  const closedAt = run.closeTime?.getTime() ?? null;
  const recentlyClosed = closedAt !== null && Date.now() - closedAt <= STOPPED_LOOKBACK_MS;
  // A completed run says why it ended in its result; read once, before its alert is written.
  const reason =
    executionStatus === 'COMPLETED' && recentlyClosed && !(await alertEventExists(db, agentStoppedKey(agent.id, run.runId)))
      ? ((await temporal.workflow.getHandle(agentWorkflowId(agent.id), run.runId).result()) as AgentState).pauseReason
      : null;
  return {
    agentId: agent.id,
    runId: run.runId,
    executionStatus,
    agentStatus: run.typedSearchAttributes.get(AgentStatusAttr) ?? null,
    reason,
    startedAt: run.startTime.getTime(),
    closedAt,
    lastCycleAt: agent.last_cycle_at?.getTime() ?? null,
  };
}
