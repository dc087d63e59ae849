import fs from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { decisionLog } from './decision-log';
import { findAgent } from '../db/agents';
import { cyclesAfter } from '../db/cycles';

export interface ExportOptions {
  /** Cycles read per query: a long history is streamed, never loaded at once. */
  pageSize?: number;
}

export interface ExportResult {
  /** `<outDir>/decisions/<agent_id>` */
  dir: string;
  files: number;
  firstCycle: number | null;
  lastCycle: number | null;
}

/**
 * Writes an agent's decision logs as the seed's decision logger laid them out:
 * `<outDir>/decisions/<agent_id>/decision_<YYYYMMDD_HHMMSS>_<cycle>.json` (UTC time the cycle was
 * recorded), one JSON file per cycle, failed cycles included (with their error). Exporting again
 * rewrites the same files; each file is written whole or not at all.
 */
export async function exportDecisionLogs(
  db: Kysely<Database>,
  agentId: string,
  outDir: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(agentId) || agentId === '.' || agentId === '..') {
    throw new Error(`agent id ${JSON.stringify(agentId.slice(0, 200))} cannot name a folder`);
  }
  const agent = await findAgent(db, agentId);
  if (!agent) throw new Error(`no agent "${agentId}"`);
  const pageSize = Math.max(1, Math.min(opts.pageSize ?? 200, 5_000));
  const dir = path.join(outDir, 'decisions', agentId);
  await fs.mkdir(dir, { recursive: true });

  const result: ExportResult = { dir, files: 0, firstCycle: null, lastCycle: null };
  for (let after = -1; ;) {
    const rows = await cyclesAfter(db, agentId, after, pageSize);
    for (const row of rows) {
      const file = path.join(dir, decisionFileName(row.finished_at, row.cycle_no));
      await writeWhole(file, `${JSON.stringify(decisionLog(row, { market: 'full' }), null, 2)}\n`);
      result.files += 1;
      result.firstCycle ??= row.cycle_no;
      result.lastCycle = row.cycle_no;
    }
    if (rows.length < pageSize) break;
    after = rows[rows.length - 1]!.cycle_no;
  }
  return result;
}

/** `decision_20251102_103000_123.json` */
export function decisionFileName(at: Date, cycle: number): string {
  const iso = at.toISOString(); // 2025-11-02T10:30:00.000Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}_${iso.slice(11, 19).replaceAll(':', '')}`;
  return `decision_${stamp}_${cycle}.json`;
}

async function writeWhole(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content);
  await fs.rename(tmp, file);
}
