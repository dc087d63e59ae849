/**
 * `tsx scripts/export-decision-logs.ts <agentId> [outDir]`: an agent's decision logs as JSON files,
 * `<outDir>/decisions/<agent_id>/decision_<YYYYMMDD_HHMMSS>_<cycle>.json` (outDir: `logs`).
 * Reads DATABASE_URL, or the embedded database in ARENA_DATA_DIR (`.data`) when it is not set; the
 * embedded one can be opened only while the arena is not running.
 */
import path from 'node:path';
import { createDb } from '../db/connect';
import { openDatabase } from '../infra/database';
import { exportDecisionLogs } from '../records/export-decision-logs';

const PROJECT_ROOT = path.resolve(__dirname, '..');

async function main(argv: string[]): Promise<number> {
  const [agentId, outDir = 'logs', ...rest] = argv;
  if (!agentId || agentId.startsWith('-') || rest.length > 0) {
    console.error('usage: tsx scripts/export-decision-logs.ts <agentId> [outDir]');
    return 2;
  }
  const dataDir = path.resolve(process.env.ARENA_DATA_DIR ?? path.join(PROJECT_ROOT, '.data'));
  const database = await openDatabase({ dataDir });
  const db = createDb(database.url, database.maxConnections);
  try {
    const result = await exportDecisionLogs(db, agentId, path.resolve(outDir));
    const range = result.firstCycle === null ? 'no cycles yet' : `cycles ${result.firstCycle}-${result.lastCycle}`;
    console.log(`${result.files} decision logs (${range}) in ${result.dir}`);
    return 0;
  } finally {
    await db.destroy();
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
