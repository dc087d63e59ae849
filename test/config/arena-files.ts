import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadArenaConfig } from '../../arena-config/load';

/**
 * Writes an arena with the given agent files (by id) into a fresh folder; returns the arena file's
 * path. Without `arena` text, the arena file just lists the agents.
 */
export function writeArena(agentFiles: Record<string, string>, arena?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arena-config-'));
  fs.mkdirSync(path.join(dir, 'agents'));
  for (const [id, text] of Object.entries(agentFiles)) fs.writeFileSync(path.join(dir, 'agents', `${id}.yaml`), text);
  const list = Object.keys(agentFiles)
    .map((id) => `  - { id: ${id}, config_file: agents/${id}.yaml }`)
    .join('\n');
  fs.writeFileSync(path.join(dir, 'arena.yaml'), arena ?? `agents:\n${list}\n`);
  return path.join(dir, 'arena.yaml');
}

/** The ConfigError loading `file` fails with (the test fails if it loads). */
export function loadError(file: string, env: NodeJS.ProcessEnv = {}): ConfigError {
  try {
    loadArenaConfig(file, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.name, 'ConfigError');
    return err;
  }
  assert.fail('expected the load to fail');
}
