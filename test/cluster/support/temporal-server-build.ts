/**
 * The real Temporal server and its SQL tool, built from the Go module proxy at one version and kept
 * in a versioned cache folder, so only the first run pays for the build (about 3 minutes on 2 cores).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GO_VARIABLES, childEnv } from '../../../infra/child-env';
import { findOnPath } from '../../../infra/temporal-cli';
import { runCommand } from './run-command';

export interface TemporalServerTools {
  version: string;
  /** `temporal-server`, as in the temporalio/server image. */
  server: string;
  /** `temporal-sql-tool`, as in the temporalio/admin-tools image (schemas embedded). */
  sqlTool: string;
}

/** Marks a finished build: a folder without it is an interrupted one. */
const COMPLETE_MARKER = 'complete';

export function temporalServerCacheDir(version: string, env: NodeJS.ProcessEnv = process.env): string {
  const cacheHome = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(cacheHome, 'agent-arena', `temporal-server-${version}`);
}

/** The cached binaries of `version`, built first when they are not there yet. */
export async function ensureTemporalServer(
  version: string,
  log: (msg: string) => void = () => {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalServerTools> {
  const dir = temporalServerCacheDir(version, env);
  const tools = { version, server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool') };
  if (fs.existsSync(path.join(dir, COMPLETE_MARKER))) return tools;

  const go = findOnPath('go', env);
  if (!go) throw new Error(`Go is needed to build the Temporal server ${version} (once; it is cached in ${dir})`);
  log(`building the Temporal server ${version} and its SQL tool into ${dir} (a few minutes, once)`);
  const started = Date.now();
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  // Built beside the cache folder and moved into place whole: two runs building at once, or one
  // interrupted, never leave a half-filled folder that looks complete.
  const staging = fs.mkdtempSync(`${dir}.building-`);
  try {
    await runCommand(
      go,
      ['install', `go.temporal.io/server/cmd/server@v${version}`, `go.temporal.io/server/cmd/tools/sql@v${version}`],
      childEnv(GO_VARIABLES, { GOBIN: staging }, env),
    );
    fs.renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
    fs.renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
    fs.writeFileSync(path.join(staging, COMPLETE_MARKER), `go.temporal.io/server@v${version}\n`);
    if (!fs.existsSync(path.join(dir, COMPLETE_MARKER))) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(staging, dir);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`built the Temporal server ${version} in ${Math.round((Date.now() - started) / 1000)} s`);
  return tools;
}
