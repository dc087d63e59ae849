/**
 * Live cycle messages for the WebSocket, read from Postgres: the API may run in another process than
 * the worker, so nothing in-process can be relied on. One poller per API process watches `cycles` for
 * the subscribed agents only (a cursor per agent: the last cycle number sent), every ~500 ms and only
 * while someone is subscribed, and turns each new cycle into the seed's messages (§4.2):
 * `new_decision`, a `position_update` per position opened, closed or modified since the previous
 * equity snapshot, then `agent_update`.
 */
import type { Kysely, Selectable } from 'kysely';
import { agentsByIds, findAgent } from '../db/agents';
import { cyclesAfterCursors, lastCycleNo } from '../db/cycles';
import { snapshotAndPrevious } from '../db/equity-snapshots';
import type { CycleRow, Database, EquitySnapshotsTable } from '../db/schema';
import { DecisionLog, decisionLog } from '../records/decision-log';
import { AccountInfo, PositionInfo, accountFromSnapshot, positionInfo, snapshotPositions } from '../records/views';
import type { VenuePosition } from '../venues/venue';

export interface AgentUpdate {
  agent_id: string;
  timestamp: string;
  cycle: number;
  market_time: string | null;
  /** After the cycle's orders (the latest equity snapshot); null before the agent's first one. */
  account: (AccountInfo & { initial_balance: number; return_pct: number }) | null;
  positions: PositionInfo[];
  status: {
    cycle_count: number;
    cycle_status: 'ok' | 'failed';
    last_decision_time: string;
    summary: string;
    error: string | null;
  };
}

export interface PositionUpdate {
  agent_id: string;
  cycle: number;
  timestamp: string;
  symbol: string;
  action: 'opened' | 'closed' | 'modified';
  /** For `closed`, the position as last seen. */
  position: PositionInfo;
}

export type FeedMessage =
  | { type: 'new_decision'; data: DecisionLog }
  | { type: 'position_update'; data: PositionUpdate }
  | { type: 'agent_update'; data: AgentUpdate };

export type FeedListener = (message: FeedMessage) => void;

export interface CycleFeedOptions {
  intervalMs?: number;
  /** Cycles read per poll at most (a backlog drains over several polls). */
  batchSize?: number;
  onError?: (err: unknown) => void;
}

interface Watch {
  /** The last cycle number sent. */
  after: number;
  listeners: Set<FeedListener>;
}

type Snapshot = Selectable<EquitySnapshotsTable>;

export class CycleFeed {
  private readonly watches = new Map<string, Watch>();
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly onError: (err: unknown) => void;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    opts: CycleFeedOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.batchSize = opts.batchSize ?? 100;
    this.onError = opts.onError ?? ((err) => console.error('cycle feed:', err));
  }

  /**
   * Sends `listener` the messages of the agent's cycles recorded from now on. Resolves to the function
   * that stops them, or null when there is no such agent.
   */
  async subscribe(agentId: string, listener: FeedListener): Promise<(() => void) | null> {
    if (this.closed) throw new Error('the cycle feed is closed');
    if (!this.watches.has(agentId)) {
      const last = await this.lastCycle(agentId);
      if (last === null) return null;
      if (this.closed) throw new Error('the cycle feed is closed');
      if (!this.watches.has(agentId)) this.watches.set(agentId, { after: last, listeners: new Set() });
    }
    const watch = this.watches.get(agentId)!;
    watch.listeners.add(listener);
    this.schedule();
    return () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0 && this.watches.get(agentId) === watch) this.watches.delete(agentId);
    };
  }

  /** Agents watched now. */
  get watched(): string[] {
    return [...this.watches.keys()];
  }

  /** Stops polling (a poll in flight finishes) and drops every listener. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watches.clear();
    await this.polling;
  }

  private async lastCycle(agentId: string): Promise<number | null> {
    if (!(await findAgent(this.db, agentId))) return null;
    return lastCycleNo(this.db, agentId);
  }

  private schedule(): void {
    if (this.closed || this.timer || this.polling || this.watches.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.polling = this.poll()
        .catch(this.onError)
        .finally(() => {
          this.polling = null;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    const tracked = [...this.watches.entries()];
    if (tracked.length === 0) return;
    // Per agent in cycle order, so that a cursor never skips a cycle whatever the workers' clocks said.
    const rows = await cyclesAfterCursors(
      this.db,
      tracked.map(([id, w]) => [id, w.after]),
      this.batchSize,
    );
    if (rows.length === 0) return;
    const agents = new Map((await agentsByIds(this.db, [...new Set(rows.map((r) => r.agent_id))])).map((a) => [a.id, a]));
    for (const row of rows) {
      const watch = this.watches.get(row.agent_id);
      const agent = agents.get(row.agent_id);
      if (this.closed || !watch || !agent || row.cycle_no <= watch.after) continue;
      const messages = await this.messagesFor(row, Number(agent.initial_balance), agent.cycle_count);
      watch.after = row.cycle_no;
      for (const message of messages) {
        for (const listener of [...watch.listeners]) {
          try {
            listener(message);
          } catch (err) {
            this.onError(err);
          }
        }
      }
    }
  }

  private async messagesFor(row: CycleRow, initialBalance: number, cycleCount: number): Promise<FeedMessage[]> {
    const [latest, before] = await snapshotAndPrevious(this.db, row.agent_id, row.cycle_no);
    const timestamp = row.finished_at.toISOString();
    const messages: FeedMessage[] = [{ type: 'new_decision', data: decisionLog(row, { market: 'summary' }) }];
    // A failed cycle writes no snapshot: no position changes to report, the account is the last known.
    if (latest && latest.cycle_no === row.cycle_no) {
      for (const change of positionChanges(snapshotPositions(before?.positions), snapshotPositions(latest.positions))) {
        messages.push({
          type: 'position_update',
          data: { agent_id: row.agent_id, cycle: row.cycle_no, timestamp, symbol: change.position.symbol, ...change },
        });
      }
    }
    messages.push({ type: 'agent_update', data: agentUpdate(row, latest, initialBalance, cycleCount) });
    return messages;
  }
}

function agentUpdate(row: CycleRow, snap: Snapshot | undefined, initialBalance: number, cycleCount: number): AgentUpdate {
  const timestamp = row.finished_at.toISOString();
  const account = snap ? accountFromSnapshot(snap) : null;
  return {
    agent_id: row.agent_id,
    timestamp,
    cycle: row.cycle_no,
    market_time: (snap?.market_time ?? row.market_time)?.toISOString() ?? null,
    account: account && {
      ...account,
      initial_balance: initialBalance,
      return_pct: initialBalance > 0 ? (account.total_balance / initialBalance - 1) * 100 : 0,
    },
    positions: snap ? snapshotPositions(snap.positions).map(positionInfo) : [],
    status: {
      cycle_count: Math.max(cycleCount, row.cycle_no),
      cycle_status: row.status,
      last_decision_time: timestamp,
      summary: row.summary,
      error: row.error,
    },
  };
}

/**
 * What changed between two snapshots, per position (symbol and side): opened, closed, or modified
 * (quantity, entry price, leverage or margin; a moving mark price alone is not a modification).
 */
export function positionChanges(
  before: VenuePosition[],
  after: VenuePosition[],
): Array<{ action: PositionUpdate['action']; position: PositionInfo }> {
  const key = (p: VenuePosition) => `${p.symbol}:${p.side}`;
  const old = new Map(before.map((p) => [key(p), p]));
  const now = new Map(after.map((p) => [key(p), p]));
  const changes: Array<{ action: PositionUpdate['action']; position: PositionInfo }> = [];
  for (const [k, p] of old) if (!now.has(k)) changes.push({ action: 'closed', position: positionInfo(p) });
  for (const [k, p] of now) {
    const was = old.get(k);
    if (!was) changes.push({ action: 'opened', position: positionInfo(p) });
    else if (was.quantity !== p.quantity || was.entryPrice !== p.entryPrice || was.leverage !== p.leverage || was.margin !== p.margin) {
      changes.push({ action: 'modified', position: positionInfo(p) });
    }
  }
  return changes;
}
