import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { GO_VARIABLES, childEnv } from './child-env';

/** Newest CLI tag installable with plain `go install` (later tags carry a `replace` in go.mod). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Folders `go install` writes to: GOBIN, else the first GOPATH entry's bin; plus the usual $HOME/go/bin. */
function goBinDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  const go = findOnPath('go', env);
  if (go) {
    const out = spawnSync(go, ['env', 'GOBIN', 'GOPATH'], { env: childEnv(GO_VARIABLES, {}, env), encoding: 'utf8', timeout: 15_000 });
    if (out.status === 0) {
      const [gobin = '', gopath = ''] = out.stdout.split('\n').map((line) => line.trim());
      if (gobin) dirs.push(gobin);
      for (const entry of gopath.split(path.delimiter)) if (entry) dirs.push(path.join(entry, 'bin'));
    }
  }
  const home = env.HOME ?? os.homedir();
  if (home) dirs.push(path.join(home, 'go', 'bin'));
  return [...new Set(dirs)];
}

/**
 * Where the Temporal CLI is: `TEMPORAL_CLI`, then `temporal` on PATH, then the Go bin folder.
 * A `TEMPORAL_CLI` that points at nothing is an error, not a reason to quietly use another binary.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env.TEMPORAL_CLI;
  if (explicit) {
    if (!isExecutableFile(explicit)) {
      throw new Error(`TEMPORAL_CLI is set to ${explicit}, which is not an executable file`);
    }
    return explicit;
  }
  const onPath = findOnPath('temporal', env);
  if (onPath) return onPath;
  for (const dir of goBinDirs(env)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

/** Finds the Temporal CLI, or builds it with `go install` (a few minutes the first time). */
export async function ensureTemporalCli(log: (msg: string) => void = () => {}, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const found = findTemporalCli(env);
  if (found) return found;

  const go = findOnPath('go', env);
  if (!go) {
    throw new Error(
      'The Temporal CLI was not found (TEMPORAL_CLI, PATH, Go bin folder) and Go is not installed to build it. ' +
        'Install Go 1.25 or newer (https://go.dev/dl/), or set TEMPORAL_CLI to a temporal binary ' +
        '(release archives: https://github.com/temporalio/cli/releases).',
    );
  }

  log(`Temporal CLI not found; running: go install ${TEMPORAL_CLI_MODULE}`);
  const output = await runStreaming(go, ['install', TEMPORAL_CLI_MODULE], childEnv(GO_VARIABLES, { GOTOOLCHAIN: 'auto' }, env), log);
  if (output.code !== 0) {
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} failed (exit ${output.code}):\n${output.tail.join('\n')}`);
  }
  const installed = findTemporalCli(env);
  if (!installed) {
    throw new Error(`go install ${TEMPORAL_CLI_MODULE} succeeded but no temporal binary is in ${goBinDirs(env).join(', ')}`);
  }
  log(`Temporal CLI installed at ${installed}`);
  return installed;
}

function runStreaming(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (msg: string) => void,
): Promise<{ code: number | null; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onLine = (line: string) => {
      log(line);
      tail.push(line);
      if (tail.length > 40) tail.shift();
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, tail }));
  });
}
