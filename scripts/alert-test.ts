/**
 * `npm run alert:test`: sends a test alert to every alert channel of the arena file (ARENA_CONFIG, else
 * config/arena.yaml; a `.env` beside package.json is read first) and says what came of each. Needs
 * neither the database nor Temporal. Exits with 1 when no channel is on or one did not take the alert.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sendAlert } from '../alerts/channels/send';
import { idempotencyKey } from '../alerts/message';
import type { AlertEvent } from '../alerts/types';
import { ConfigError, loadArenaConfig, resolveArenaConfigPath } from '../arena-config/load';

async function main(): Promise<number> {
  const envFile = path.join(__dirname, '..', '.env');
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  const config = loadArenaConfig(resolveArenaConfigPath());
  const { channels, skippedChannels } = config.alerts;
  for (const skipped of skippedChannels) console.log(`${skipped.name}: off (${skipped.reason})`);
  if (channels.length === 0) {
    console.log(`no alert channel is on in ${config.file}: set the variables its channels name (config/.env.example)`);
    return 1;
  }
  const now = Date.now();
  const event: AlertEvent = {
    key: `test:${new Date(now).toISOString()}`,
    kind: 'test',
    severity: 'info',
    agentId: null,
    at: now,
    title: 'test alert from agent-arena: this channel works',
    fields: { host: os.hostname(), config: path.basename(config.file), sent_at: new Date(now).toISOString() },
  };
  let failures = 0;
  for (const channel of channels) {
    const started = Date.now();
    const outcome = await sendAlert(channel, { event, idempotencyKey: idempotencyKey(channel.name, event.key), possibleRepeat: false });
    const took = `${Date.now() - started} ms`;
    if (outcome.result === 'sent') {
      console.log(
        `${channel.name}: delivered in ${took} (${Object.entries(outcome.receipt)
          .map(([k, v]) => `${k} ${String(v)}`)
          .join(', ')})`,
      );
      continue;
    }
    failures += 1;
    const verdict = outcome.result === 'retry' ? 'not delivered, may pass (the arena would retry)' : 'refused (the arena would not retry)';
    console.log(`${channel.name}: ${verdict} after ${took}: ${outcome.error}`);
  }
  return failures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? `config error: ${err.message}` : err);
    process.exit(1);
  },
);
