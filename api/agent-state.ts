/**
 * What the API knows of an agent's workflow: its status (the workflow description, answered by the
 * server without any worker) and its live state (the `getState` query, only if a worker answers in
 * time). Both are cached for a moment and fetched once however many requests ask at the same time,
 * so a burst of readers costs Temporal one call per agent per TTL, and every call has a deadline.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { agentWorkflowId, getStateQuery, type AgentStateView } from '../workflows/definitions';
import { AgentStatusAttr } from '../workflows/search-attributes';
import { TtlCache } from './ttl-cache';

export interface AgentStatusInfo {
  /** running | paused | stopped | finished | failed | not_started | unknown (Temporal did not answer in time) */
  status: string;
  reason: string | null;
  startedAt: Date | null;
  /** The workflow's own view, when a worker answered the query in time. */
  live: AgentStateView | null;
}

export interface AgentStateOptions {
  /** How long a description or a live state is reused (default 2 s and 1 s). */
  statusTtlMs?: number;
  liveTtlMs?: number;
  /** Deadline of one call to Temporal (default 2 s). */
  timeoutMs?: number;
}

interface Described {
  status: string;
  startedAt: Date | null;
  running: boolean;
}

export class AgentStates {
  private readonly described: TtlCache<Described>;
  private readonly live: TtlCache<AgentStateView | null>;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: Client,
    opts: AgentStateOptions = {},
  ) {
    this.described = new TtlCache(opts.statusTtlMs ?? 2_000);
    this.live = new TtlCache(opts.liveTtlMs ?? 1_000);
    this.timeoutMs = opts.timeoutMs ?? 2_000;
  }

  /** Status from the description; the live state too when asked (and a worker answers in time). */
  async status(agentId: string, opts: { live?: boolean } = {}): Promise<AgentStatusInfo> {
    const described = await this.described.get(agentId, () => this.describe(agentId));
    const live = opts.live && described.running ? await this.liveState(agentId) : null;
    return {
      status: live ? live.status.toLowerCase() : described.status,
      reason: live?.pauseReason ?? null,
      startedAt: described.startedAt,
      live,
    };
  }

  /** The workflow's live state (fresh within the TTL), or null when no worker answered in time. */
  liveState(agentId: string): Promise<AgentStateView | null> {
    return this.live.get(agentId, () =>
      within(this.timeoutMs, this.client.workflow.getHandle(agentWorkflowId(agentId)).query(getStateQuery)).then(
        (r) => (r.done ? r.value : null),
        () => null,
      ),
    );
  }

  /** Forget what is cached of an agent (after a control call changed it). */
  invalidate(agentId: string): void {
    this.described.delete(agentId);
    this.live.delete(agentId);
    this.changes += 1;
  }

  /** Moves whenever `invalidate` is called: answers cached under it are stale once it moves. */
  get generation(): number {
    return this.changes;
  }

  private changes = 0;

  private async describe(agentId: string): Promise<Described> {
    let description;
    try {
      const answer = await within(this.timeoutMs, this.client.workflow.getHandle(agentWorkflowId(agentId)).describe());
      if (!answer.done) return { status: 'unknown', startedAt: null, running: false };
      description = answer.value;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { status: 'not_started', startedAt: null, running: false };
      return { status: 'unknown', startedAt: null, running: false };
    }
    const workflowStatus = description.status.name;
    const running = workflowStatus === 'RUNNING';
    let status: string;
    if (running) status = (description.typedSearchAttributes.get(AgentStatusAttr) ?? 'RUNNING').toLowerCase();
    else if (workflowStatus === 'COMPLETED') status = 'stopped';
    else status = workflowStatus === 'CONTINUED_AS_NEW' ? 'running' : 'failed';
    return { status, startedAt: description.startTime, running };
  }
}

/** `promise`'s outcome if it settles within `ms`; a late rejection is swallowed, never unhandled. */
export async function within<T>(ms: number, promise: Promise<T>): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
