/** The `llm_calls` table: every model call attempt, with its prompt, reply, usage and cost. */
import { sql, type Kysely, type SelectQueryBuilder, type Selectable } from 'kysely';
import { cycleNosInRange, type TimeRange } from './cycles';
import type { Database, LlmCallsTable } from './schema';

export type LlmCallRow = Selectable<LlmCallsTable>;

export interface LlmCallRecord {
  agentId: string;
  cycleNo: number;
  attempt: number;
  provider: string;
  model: string;
  status: LlmCallsTable['status'];
  promptSha256: string;
  prompt: string;
  rawReply: string | null;
  decisions: unknown[];
  rejected: unknown[];
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  error: string | null;
}

/** Writes one call attempt; a re-run of the same attempt rewrites it. */
export async function saveLlmCall(db: Kysely<Database>, c: LlmCallRecord): Promise<void> {
  const values = {
    provider: c.provider,
    model: c.model,
    status: c.status,
    prompt_sha256: c.promptSha256,
    prompt_chars: c.prompt.length,
    prompt: c.prompt,
    raw_reply: c.rawReply?.slice(0, 200_000) ?? null,
    decisions: JSON.stringify(c.decisions),
    rejected: JSON.stringify(c.rejected),
    tokens_in: c.tokensIn,
    tokens_out: c.tokensOut,
    cost_usd: c.costUsd,
    latency_ms: Math.round(c.latencyMs),
    error: c.error?.slice(0, 4000) ?? null,
  };
  await db
    .insertInto('llm_calls')
    .values({ agent_id: c.agentId, cycle_no: c.cycleNo, attempt: c.attempt, ...values })
    .onConflict((oc) => oc.columns(['agent_id', 'cycle_no', 'attempt']).doUpdateSet(values))
    .execute();
}

/** The agent's calls, limited to the cycles whose market time is in the range. */
function callsOf(db: Kysely<Database>, agentId: string, range: TimeRange): SelectQueryBuilder<Database, 'llm_calls', object> {
  const q = db.selectFrom('llm_calls').where('agent_id', '=', agentId);
  return range.from || range.to ? q.where('cycle_no', 'in', cycleNosInRange(db, agentId, range)) : q;
}

export interface CallTotals {
  calls: number;
  failedCalls: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export async function callTotals(db: Kysely<Database>, agentId: string, range: TimeRange): Promise<CallTotals> {
  const r = await callsOf(db, agentId, range)
    .select([
      sql<string>`count(*)`.as('calls'),
      sql<string>`coalesce(sum(tokens_in), 0)`.as('tokens_in'),
      sql<string>`coalesce(sum(tokens_out), 0)`.as('tokens_out'),
      sql<string>`coalesce(sum(cost_usd), 0)`.as('cost_usd'),
      sql<string>`count(*) filter (where status <> 'ok')`.as('failed_calls'),
    ])
    .executeTakeFirstOrThrow();
  return {
    calls: Number(r.calls),
    failedCalls: Number(r.failed_calls),
    tokensIn: Number(r.tokens_in),
    tokensOut: Number(r.tokens_out),
    costUsd: Number(r.cost_usd),
  };
}

/** Usage per cycle, a page of cycles newest first. */
export async function usagePerCycle(db: Kysely<Database>, agentId: string, range: TimeRange, limit: number, offset: number) {
  const rows = await callsOf(db, agentId, range)
    .select([
      'cycle_no',
      sql<string>`count(*)`.as('calls'),
      sql<string>`sum(tokens_in)`.as('tokens_in'),
      sql<string>`sum(tokens_out)`.as('tokens_out'),
      sql<string>`sum(cost_usd)`.as('cost_usd'),
    ])
    .groupBy('cycle_no')
    .orderBy('cycle_no', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => ({
    cycleNo: r.cycle_no,
    calls: Number(r.calls),
    tokensIn: Number(r.tokens_in),
    tokensOut: Number(r.tokens_out),
    costUsd: Number(r.cost_usd),
  }));
}

/** Every call of these cycles, newest first. */
export function callsOfCycles(db: Kysely<Database>, agentId: string, cycleNos: number[]): Promise<LlmCallRow[]> {
  if (cycleNos.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('llm_calls')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('cycle_no', 'in', cycleNos)
    .orderBy('cycle_no', 'desc')
    .orderBy('attempt', 'desc')
    .execute();
}

/** Σ cost_usd of the agent's calls (of the cycles in the range). */
export async function totalCost(db: Kysely<Database>, agentId: string, range: TimeRange = {}): Promise<number> {
  return (await callTotals(db, agentId, range)).costUsd;
}
