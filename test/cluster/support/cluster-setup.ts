/**
 * Prepares a cluster the way docker-compose.yml does, with the compose's own scripts: the schema job
 * (deploy/temporal/setup-schema.sh) and the namespace job (deploy/temporal/create-namespace.sh).
 */
import fs from 'node:fs';
import path from 'node:path';
import { childEnv } from '../../../infra/child-env';
import type { PostgresServer } from './postgres-server';
import { runCommand } from './run-command';

const DEPLOY_DIR = path.join(__dirname, '..', '..', '..', 'deploy', 'temporal');

/** Runs the compose's schema job with `temporal-sql-tool` from `sqlTool` on PATH. */
export async function applyTemporalSchema(
  sqlTool: string,
  postgres: PostgresServer,
  databases: { main: string; visibility: string },
): Promise<void> {
  await runCommand(
    'sh',
    [path.join(DEPLOY_DIR, 'setup-schema.sh')],
    childEnv([], {
      PATH: `${path.dirname(sqlTool)}${path.delimiter}${process.env.PATH ?? ''}`,
      DB: 'postgres12',
      POSTGRES_SEEDS: postgres.host,
      DB_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PWD: postgres.password,
      DBNAME: databases.main,
      VISIBILITY_DBNAME: databases.visibility,
    }),
  );
}

/**
 * Runs the compose's namespace job (it waits for `temporal operator cluster health` first) with the
 * Temporal CLI at `cli`, linked as `temporal` into a bin folder under `workDir`.
 */
export async function createNamespace(address: string, namespace: string, cli: string, workDir: string): Promise<void> {
  const bin = path.join(workDir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(cli, path.join(bin, 'temporal'));
  await runCommand(
    'sh',
    [path.join(DEPLOY_DIR, 'create-namespace.sh')],
    childEnv([], {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
      TEMPORAL_ADDRESS: address,
      NAMESPACE: namespace,
    }),
  );
}
