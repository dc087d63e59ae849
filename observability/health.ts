/**
 * What `/health` reports: each component the arena needs, checked from the API's side. Down (503) when
 * the database or Temporal does not answer, when no worker polls the task queue the running agents are
 * on, or when a running agent has not finished a cycle for three scan intervals (at least 5 minutes).
 */
import { temporal as proto } from '@temporalio/proto';
import { listAgents } from '../db/agents';
import { within, type AgentStates } from '../api/agent-state';
import type { ApiDeps } from '../api/deps';
import { agentWorkflowId } from '../workflows/definitions';

/** A poller not seen for this long has gone (a live one comes back at least every long poll, about a minute). */
export const POLLER_FRESH_MS = 120_000;
const MIN_LATE_AFTER_MS = 5 * 60_000;
const CALL_DEADLINE_MS = 2_000;

export interface AgentHealth {
  id: string;
  /** running, paused, stopped, finished, failed, not_started, unknown (Temporal did not answer in time) */
  status: string;
  last_cycle_at: string | null;
  /** Since the last recorded cycle, or since the workflow started when it has none yet. */
  seconds_since_last_cycle: number | null;
  /** ok; late: running without a cycle for too long; idle: not meant to cycle now; unknown. */
  health: 'ok' | 'late' | 'idle' | 'unknown';
}

export interface HealthReport {
  status: 'healthy' | 'degraded';
  /** `ok`, or what went wrong. */
  database: string;
  temporal: string;
  /** `ok`, `down: <why>`, or `not checked: <why>` (no running agent, Temporal down). */
  worker: string;
  /** The task queue the running agents are on, and its pollers seen in the last 2 minutes. */
  task_queue: { name: string; workflow_pollers: number; activity_pollers: number } | null;
  agents: AgentHealth[];
}

type AgentRow = Awaited<ReturnType<typeof listAgents>>[number];

export async function checkHealth(deps: ApiDeps & { states: AgentStates }, now = Date.now()): Promise<HealthReport> {
  const [rows, temporal] = await Promise.all([
    listAgents(deps.db).then(
      (list) => list,
      (err: unknown) => new Error(errorText(err)),
    ),
    within(CALL_DEADLINE_MS, deps.temporal.connection.workflowService.getSystemInfo({})).then(
      (answer) => (answer.done ? 'ok' : `error: no answer within ${CALL_DEADLINE_MS / 1000} s`),
      (err: unknown) => `error: ${errorText(err)}`,
    ),
  ]);
  const database = rows instanceof Error ? `error: ${rows.message}` : 'ok';
  const agents = rows instanceof Error ? [] : await Promise.all(rows.map((row) => agentHealth(deps.states, row, now)));
  const queue = temporal === 'ok' ? await queueHealth(deps, agents) : { worker: 'not checked: Temporal does not answer', task_queue: null };
  const healthy = database === 'ok' && temporal === 'ok' && !queue.worker.startsWith('down') && agents.every((a) => a.health !== 'late');
  return { status: healthy ? 'healthy' : 'degraded', database, temporal, ...queue, agents };
}

async function agentHealth(states: AgentStates, row: AgentRow, now: number): Promise<AgentHealth> {
  const { status, startedAt } = await states.status(row.id);
  const since = row.last_cycle_at ?? startedAt;
  const seconds = since ? Math.max(0, (now - since.getTime()) / 1000) : null;
  // A row written without a config (tests, hand-made) has no interval: the minimum applies.
  const lateAfterMs = Math.max(MIN_LATE_AFTER_MS, 3 * (row.config?.strategy?.scanIntervalMinutes ?? 0) * 60_000);
  let health: AgentHealth['health'] = 'idle';
  if (status === 'unknown') health = 'unknown';
  else if (status === 'running') health = seconds !== null && seconds * 1000 > lateAfterMs ? 'late' : 'ok';
  return { id: row.id, status, last_cycle_at: row.last_cycle_at?.toISOString() ?? null, seconds_since_last_cycle: seconds, health };
}

/** Whether a worker polls the task queue of the running agents (both its workflow and its activity tasks). */
async function queueHealth(deps: ApiDeps, agents: AgentHealth[]): Promise<Pick<HealthReport, 'worker' | 'task_queue'>> {
  const running = agents.find((a) => a.status === 'running');
  if (!running) return { worker: 'not checked: no running agent', task_queue: null };
  const description = await within(CALL_DEADLINE_MS, deps.temporal.workflow.getHandle(agentWorkflowId(running.id)).describe());
  if (!description.done) return { worker: 'not checked: Temporal did not describe the agent in time', task_queue: null };
  const name = description.value.taskQueue;
  const { TaskQueueKind, TaskQueueType } = proto.api.enums.v1;
  const pollers = async (taskQueueType: proto.api.enums.v1.TaskQueueType) => {
    const answer = await within(
      CALL_DEADLINE_MS,
      deps.temporal.workflowService.describeTaskQueue({
        namespace: deps.temporal.options.namespace,
        taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType,
      }),
    );
    if (!answer.done) throw new Error(`Temporal did not describe task queue ${name} within ${CALL_DEADLINE_MS / 1000} s`);
    return (answer.value.pollers ?? []).filter((p) => Date.now() - Number(p.lastAccessTime?.seconds ?? 0) * 1000 < POLLER_FRESH_MS).length;
  };
  try {
    const [workflowPollers, activityPollers] = await Promise.all([
      pollers(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      pollers(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ]);
    const task_queue = { name, workflow_pollers: workflowPollers, activity_pollers: activityPollers };
    if (workflowPollers === 0 || activityPollers === 0) {
      return { worker: `down: no worker has polled task queue ${name} in the last ${POLLER_FRESH_MS / 1000} s`, task_queue };
    }
    return { worker: 'ok', task_queue };
  } catch (err) {
    return { worker: `down: ${errorText(err)}`, task_queue: null };
  }
}

function errorText(err: unknown): string {
  return String(err instanceof Error ? err.message : err).slice(0, 200);
}
