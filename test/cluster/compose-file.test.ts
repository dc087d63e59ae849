/**
 * docker-compose.yml, checked without a Docker engine: `docker compose config` where the compose
 * plugin exists, and always a schema and consistency check of its services, variables and volumes
 * (part of `npm test` and of `npm run test:cluster`; the cluster suite runs the same server version,
 * variables, scripts and dynamic config for real).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { COMPOSE_FILE, readComposeFile } from './support/compose-file';

const ROOT = path.dirname(COMPOSE_FILE);

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number>;
  entrypoint?: string[];
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  [key: string]: unknown;
}

/** The Compose specification's service keys (those this file could plausibly use). */
const SERVICE_KEYS = new Set([
  'image',
  'build',
  'command',
  'entrypoint',
  'environment',
  'env_file',
  'volumes',
  'ports',
  'expose',
  'healthcheck',
  'depends_on',
  'restart',
  'user',
  'working_dir',
  'stop_grace_period',
  'stop_signal',
  'networks',
  'labels',
  'logging',
  'deploy',
  'profiles',
  'container_name',
  'hostname',
  'extra_hosts',
  'ulimits',
  'shm_size',
  'tmpfs',
  'read_only',
  'init',
  'secrets',
  'configs',
  'cap_add',
  'cap_drop',
  'security_opt',
  'mem_limit',
  'cpus',
  'pull_policy',
  'platform',
]);
const TOP_LEVEL_KEYS = new Set(['name', 'services', 'volumes', 'networks', 'configs', 'secrets']);
const CONDITIONS = new Set(['service_started', 'service_healthy', 'service_completed_successfully']);
/** What each arena process may hold (db/connect.ts pool). */
const ARENA_PROCESS_CONNECTIONS = 10;
/** Workers the connection budget must leave room for beyond the one of each service (`--scale worker=N`). */
const EXTRA_WORKERS = 5;

describe('docker-compose.yml', () => {
  const compose = readComposeFile();
  const services = compose.services as Record<string, Service>;
  const declaredVolumes = new Set(Object.keys((compose.volumes ?? {}) as object));
  const env = (service: string) => services[service]?.environment ?? {};
  const mounts = (service: string) =>
    (services[service]?.volumes ?? []).map((spec) => {
      const [source = '', target = ''] = spec.split(':');
      return { source, target, named: !source.startsWith('.') && !source.startsWith('/') };
    });

  it('is accepted by `docker compose config` where the compose plugin is installed, else parses as strict YAML 1.2', () => {
    if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) {
      const result = spawnSync('docker', ['compose', '--file', COMPOSE_FILE, 'config', '--quiet'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return;
    }
    const document = YAML.parseDocument(fs.readFileSync(COMPOSE_FILE, 'utf8'), { merge: true, uniqueKeys: true, strict: true });
    assert.deepEqual(
      document.errors.map((e) => e.message),
      [],
    );
    assert.deepEqual(
      document.warnings.map((w) => w.message),
      [],
    );
  });

  it('has only Compose keys, and every service an image or a build', () => {
    for (const key of Object.keys(compose)) assert.ok(TOP_LEVEL_KEYS.has(key) || key.startsWith('x-'), `top-level key ${key}`);
    for (const [name, service] of Object.entries(services)) {
      for (const key of Object.keys(service)) assert.ok(SERVICE_KEYS.has(key), `${name}: unknown key ${key}`);
      assert.ok(service.image || service.build, `${name}: image or build`);
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        assert.ok(typeof value === 'string' || typeof value === 'number', `${name}: ${variable} is a string or a number`);
      }
    }
  });

  it('depends only on services that exist, healthy on a healthcheck, completed on a one-shot job, without cycles', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[target], `${name} depends on ${target}, which is not a service`);
        assert.ok(CONDITIONS.has(condition), `${name} -> ${target}: condition ${condition}`);
        if (condition === 'service_healthy')
          assert.ok(services[target]!.healthcheck, `${name} waits for ${target} to be healthy: it needs a healthcheck`);
        if (condition === 'service_completed_successfully')
          assert.equal(services[target]!.restart, undefined, `${target} is a job: no restart policy`);
      }
    }
    const visiting = new Set<string>();
    const visit = (name: string, chain: string[]) => {
      assert.ok(!visiting.has(name), `dependency cycle: ${[...chain, name].join(' -> ')}`);
      visiting.add(name);
      for (const target of Object.keys(services[name]!.depends_on ?? {})) visit(target, [...chain, name]);
      visiting.delete(name);
    };
    for (const name of Object.keys(services)) visit(name, []);
  });

  it('declares every named volume it mounts and mounts every one it declares; bind mounts exist', () => {
    const used = new Set<string>();
    for (const name of Object.keys(services)) {
      for (const mount of mounts(name)) {
        if (mount.named) {
          assert.ok(declaredVolumes.has(mount.source), `${name}: volume ${mount.source} is not declared`);
          used.add(mount.source);
        } else {
          assert.ok(fs.existsSync(path.join(ROOT, mount.source)), `${name}: ${mount.source} does not exist`);
        }
      }
    }
    assert.deepEqual([...declaredVolumes].sort(), [...used].sort(), 'every declared volume is mounted');
  });

  it('publishes ports on 127.0.0.1 unless its *_BIND variable says otherwise', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) {
        assert.match(port, /^\$\{[A-Z_]+_BIND:-127\.0\.0\.1\}:\d+:\d+$/, `${name}: ${port}`);
      }
    }
  });

  it('gives each variable one default wherever it is read', () => {
    const defaults = new Map<string, Set<string>>();
    for (const match of fs.readFileSync(COMPOSE_FILE, 'utf8').matchAll(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/g)) {
      const seen = defaults.get(match[1]!) ?? new Set<string>();
      seen.add(match[2] ?? '(none)');
      defaults.set(match[1]!, seen);
    }
    for (const [variable, seen] of defaults) assert.equal(seen.size, 1, `${variable}: defaults ${[...seen].join(', ')}`);
  });

  it('runs the Temporal server and admin tools of one version, on the Postgres service, with the same settings', () => {
    const versions = new Set(
      Object.values(services)
        .map((s) => s.image ?? '')
        .filter((image) => /^temporalio\/(server|admin-tools):/.test(image))
        .map((image) => image.split(':')[1]),
    );
    assert.equal(versions.size, 1, `one Temporal version: ${[...versions].join(', ')}`);

    const server = env('temporal');
    for (const variable of ['DB', 'DB_PORT', 'POSTGRES_SEEDS', 'POSTGRES_USER', 'POSTGRES_PWD', 'DBNAME', 'VISIBILITY_DBNAME']) {
      assert.ok(server[variable] !== undefined, `temporal: ${variable} is set`);
      assert.equal(env('temporal-schema')[variable], server[variable], `the schema job and the server agree on ${variable}`);
    }
    assert.ok(services[String(server.POSTGRES_SEEDS)], 'POSTGRES_SEEDS names the Postgres service');
    assert.equal(String(server.DB_PORT), '5432');
    assert.equal(server.POSTGRES_USER, env('postgres').POSTGRES_USER, "Temporal logs in as the Postgres service's user");
    assert.equal(server.POSTGRES_PWD, env('postgres').POSTGRES_PASSWORD, '... with its password');
    assert.equal(String(server.TEMPORAL_ALLOW_NO_AUTH), 'true', 'the server is told it runs without an authorizer');
    for (const name of ['temporal-namespace', 'temporal-ui', 'arena', 'worker', 'api']) {
      assert.equal(env(name).TEMPORAL_ADDRESS, 'temporal:7233', `${name} reaches the frontend`);
    }
  });

  it('points the server at a dynamic config file it mounts, which parses', () => {
    const file = String(env('temporal').DYNAMIC_CONFIG_FILE_PATH);
    const mount = mounts('temporal').find((m) => !m.named && file.startsWith(`${m.target}/`));
    assert.ok(mount, `${file} is inside a bind mount of the temporal service`);
    const local = path.join(ROOT, mount.source, path.relative(mount.target, file));
    assert.ok(fs.existsSync(local), `${local} exists`);
    const parsed: unknown = YAML.parse(fs.readFileSync(local, 'utf8'));
    assert.ok(parsed && typeof parsed === 'object', 'the dynamic config is a mapping');
  });

  it('runs the scripts it names, which honour DB_PORT and let no error pass', () => {
    for (const name of ['temporal-schema', 'temporal-namespace']) {
      const script = services[name]!.entrypoint?.at(-1) ?? '';
      const mount = mounts(name).find((m) => script.startsWith(`${m.target}/`));
      assert.ok(mount, `${name}: ${script} is inside a mount`);
      const text = fs.readFileSync(path.join(ROOT, mount.source, path.relative(mount.target, script)), 'utf8');
      assert.match(text, /^set -eu$/m, `${script} stops at the first error`);
      assert.doesNotMatch(text, /\|\|\s*true/, `${script} hides no failure`);
    }
    const schema = fs.readFileSync(path.join(ROOT, 'deploy', 'temporal', 'setup-schema.sh'), 'utf8');
    for (const variable of ['DB_PORT', 'DBNAME', 'VISIBILITY_DBNAME', 'POSTGRES_SEEDS', 'POSTGRES_USER', 'POSTGRES_PWD']) {
      assert.match(schema, new RegExp(`\\$\\{?${variable}\\b`), `setup-schema.sh reads ${variable}`);
    }
  });

  it('asks Postgres and Temporal themselves in its healthchecks', () => {
    const postgres = services.postgres!.healthcheck!.test;
    assert.equal(postgres[0], 'CMD');
    assert.equal(postgres[1], 'pg_isready');
    assert.ok(postgres.includes('--host'), 'pg_isready over TCP, so the init-time server does not pass');

    const temporal = services.temporal!.healthcheck!.test;
    assert.deepEqual(temporal.slice(2, 5), ['operator', 'cluster', 'health'], 'temporal operator cluster health');
    const cli = temporal[1]!;
    const mount = mounts('temporal').find((m) => m.named && cli.startsWith(`${m.target}/`));
    assert.ok(mount, `${cli} comes from a volume`);
    const filler = Object.entries(services).find(([name]) => name !== 'temporal' && mounts(name).some((m) => m.source === mount.source));
    assert.ok(filler, `a job fills the ${mount.source} volume`);
    assert.equal(services.temporal!.depends_on?.[filler[0]]?.condition, 'service_completed_successfully', 'the server waits for it');
    assert.equal(path.posix.basename(cli), path.posix.basename(filler[1].entrypoint?.at(-1) ?? ''), 'it copies the CLI there');
  });

  it("keeps Temporal's pools and the arena within Postgres's connections", () => {
    const server = env('temporal');
    const main = Number(server.SQL_MAX_CONNS);
    const visibility = Number(server.SQL_VIS_MAX_CONNS);
    assert.ok(
      main > 0 && visibility > 0,
      'SQL_MAX_CONNS and SQL_VIS_MAX_CONNS are set (the image defaults, 20 + 10 per service, do not fit)',
    );
    assert.ok(
      Number(server.SQL_MAX_IDLE_CONNS) <= main && Number(server.SQL_VIS_MAX_IDLE_CONNS) <= visibility,
      'idle pools within the pools',
    );
    // One server process runs the four services, each with its own pools.
    const temporal = 4 * (main + visibility);
    const arenaProcesses = Object.values(services).filter((s) => s.build).length + EXTRA_WORKERS;
    const arena = arenaProcesses * ARENA_PROCESS_CONNECTIONS;
    const command = (services.postgres!.command as string[] | undefined) ?? [];
    const setting = command.find((arg) => arg.startsWith('max_connections='));
    const maxConnections = setting ? Number(setting.split('=')[1]) : 100;
    assert.ok(
      temporal + arena <= maxConnections - 20,
      `Temporal ${temporal} + ${arenaProcesses} arena processes ${arena} connections leave room for an operator (max_connections ${maxConnections})`,
    );
  });

  it("creates the arena's database where the arena looks for it", () => {
    const url = new URL(String(env('arena').DATABASE_URL).replace(/\$\{[^}]*\}/g, 'x'));
    assert.ok(services[url.hostname], 'DATABASE_URL names the Postgres service');
    const init = mounts('postgres').find((m) => m.target.startsWith('/docker-entrypoint-initdb.d/'));
    assert.ok(init, 'an init script is mounted');
    assert.match(fs.readFileSync(path.join(ROOT, init.source), 'utf8'), new RegExp(`CREATE DATABASE ${url.pathname.slice(1)}\\b`, 'i'));
  });

  it('runs the arena as one agents coordinator, workers that scale, and an API, on one database and cluster', () => {
    assert.equal(env('arena').ARENA_RUN, 'agents', 'the coordinator starts the agents, the clock and the alerts, and nothing else');
    assert.deepEqual(services.worker!.command, ['npx', 'tsx', 'workers/main.ts']);
    assert.deepEqual(services.api!.command, ['npx', 'tsx', 'api/main.ts']);
    for (const name of ['arena', 'worker', 'api']) {
      assert.equal(env(name).DATABASE_URL, env('arena').DATABASE_URL, `${name} uses the arena's database`);
      assert.ok(services[name]!.build, `${name} runs the arena's image`);
    }
    // --scale worker=N: a replica has no fixed name and publishes no port.
    assert.equal(services.worker!.container_name, undefined);
    assert.equal(services.worker!.ports, undefined);
    assert.equal(String(env('worker').WORKER_METRICS_HOST), '0.0.0.0');
    assert.deepEqual(services.api!.ports, ['${ARENA_BIND:-127.0.0.1}:8000:8000']);
    assert.equal(env('api').API_HOST, '0.0.0.0');

    const prometheus = YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs?.flatMap((t) => t.targets) ?? []);
    assert.ok(targets.includes('api:8000'), 'Prometheus scrapes the API');
    const workers = prometheus.scrape_configs.flatMap((c) => c.dns_sd_configs ?? []);
    assert.deepEqual(
      workers,
      [{ names: ['worker'], type: 'A', port: Number(env('worker').WORKER_METRICS_PORT) }],
      'and every worker replica',
    );
  });
});
