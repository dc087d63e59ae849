import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const COMPOSE_FILE = path.join(__dirname, '..', '..', '..', 'docker-compose.yml');

/** The compose file as plain data (anchors and merge keys resolved), for reading, never for writing back. */
export function readComposeFile(file = COMPOSE_FILE): Record<string, unknown> {
  const parsed: unknown = YAML.parse(fs.readFileSync(file, 'utf8'), { merge: true });
  if (!parsed || typeof parsed !== 'object') throw new Error(`${file}: not a YAML mapping`);
  return parsed as Record<string, unknown>;
}

/** The Temporal server version the compose file runs: the tag of the `temporal` service's image. */
export function composeTemporalVersion(compose = readComposeFile()): string {
  const services = compose.services as Record<string, { image?: unknown }> | undefined;
  const image = String(services?.temporal?.image ?? '');
  const match = /^temporalio\/server:(\d+\.\d+\.\d+)$/.exec(image);
  if (!match) throw new Error(`docker-compose.yml: services.temporal.image should be temporalio/server:<x.y.z>, got "${image}"`);
  return match[1]!;
}
