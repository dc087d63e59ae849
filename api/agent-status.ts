import type { Client } from '@temporalio/client';
import { agentWorkflowId, getStateQuery, type AgentStateView } from '../workflows/definitions';
import { AgentStatusAttr } from '../workflows/search-attributes';

export interface AgentStatusInfo {
  /** running | paused | stopped | finished | failed | not_started */
  status: string;
  reason: string | null;
  startedAt: Date | null;
  /** The workflow's own view, when a worker answered the query in time. */
  live: AgentStateView | null;
}

const QUERY_TIMEOUT_MS = 2000;

/**
 * Status from the workflow description, which the server answers without any worker; the live state
 * through the `getState` query only when asked, and only if a worker answers within a short timeout.
 */
export async function agentStatus(client: Client, agentId: string, opts: { live?: boolean } = {}): Promise<AgentStatusInfo> {
  const handle = client.workflow.getHandle(agentWorkflowId(agentId));
  let description;
  try {
    description = await handle.describe();
  } catch {
    return { status: 'not_started', reason: null, startedAt: null, live: null };
  }
  const workflowStatus = description.status.name;
  let status: string;
  if (workflowStatus === 'RUNNING') {
    status = (description.typedSearchAttributes.get(AgentStatusAttr) ?? 'RUNNING').toLowerCase();
  } else if (workflowStatus === 'COMPLETED') {
    status = 'stopped';
  } else {
    status = workflowStatus === 'CONTINUED_AS_NEW' ? 'running' : 'failed';
  }
  const live = opts.live && workflowStatus === 'RUNNING' ? await queryWithTimeout(client, agentId) : null;
  if (live) status = live.status.toLowerCase();
  return { status, reason: live?.pauseReason ?? null, startedAt: description.startTime, live };
}

async function queryWithTimeout(client: Client, agentId: string): Promise<AgentStateView | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), QUERY_TIMEOUT_MS); });
  try {
    return await Promise.race([
      client.workflow.getHandle(agentWorkflowId(agentId)).query(getStateQuery).catch(() => null),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
