/**
 * The monitoring files of deploy/: the Grafana dashboard asks only for metrics the arena serves, on the
 * data source Grafana is provisioned with, from the folder docker-compose.yml mounts; Prometheus scrapes
 * the arena's API port.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { registry } from '../../observability/metrics';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Read by the API from the records and the workflows when scraped (observability/agent-metrics.ts). */
const AGENT_GAUGES = [
  'arena_equity_usdt',
  'arena_unrealized_pnl_usdt',
  'arena_margin_used_usdt',
  'arena_open_positions',
  'arena_agent_last_cycle_timestamp_seconds',
  'arena_agent_status',
  'arena_safe_mode',
];

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: Array<{ expr: string }>;
}

describe('deploy/: Prometheus and the Grafana dashboard', () => {
  const dashboard = JSON.parse(read('deploy/grafana/dashboards/arena.json')) as { uid: string; panels: Panel[] };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');

  it('asks only for arena metrics that exist', async () => {
    const served = new Set([...(await registry.getMetricsAsJSON()).map((m) => m.name), ...AGENT_GAUGES]);
    const asked = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((t) => t.expr.match(/\barena_[a-z_]+/g) ?? [])));
    assert.ok(asked.size >= 25, `${asked.size} arena metrics on the dashboard`);
    for (const name of asked) assert.ok(served.has(name.replace(/_(bucket|count|sum)$/, '')), `${name} is served`);
    for (const name of served) {
      if (name.startsWith('arena_'))
        assert.ok(
          [...asked].some((a) => a.startsWith(name)),
          `${name} has a panel`,
        );
    }
  });

  it('uses the provisioned data source, from the folder the compose file mounts', () => {
    const datasource = YAML.parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')).datasources[0];
    for (const p of panels) assert.equal(p.datasource?.uid, datasource.uid, p.title);
    assert.equal(datasource.url, 'http://prometheus:9090');
    const provider = YAML.parse(read('deploy/grafana/provisioning/dashboards/arena.yml')).providers[0];
    const compose = YAML.parse(read('docker-compose.yml'));
    assert.ok(compose.services.grafana.volumes.includes(`./deploy/grafana/dashboards:${provider.options.path}:ro`));
    assert.ok(compose.services.prometheus.volumes.includes('./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro'));
  });

  it("has Prometheus scrape the API's port and every worker replica's metrics port", () => {
    const prometheus = YAML.parse(read('deploy/prometheus/prometheus.yml'));
    const job = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'arena-api');
    assert.equal(job.metrics_path, '/metrics');
    assert.deepEqual(job.static_configs[0].targets, ['api:8000']);
    const compose = YAML.parse(read('docker-compose.yml'), { merge: true });
    assert.ok(compose.services.api.ports.some((p: string) => p.endsWith(':8000:8000')));
    const workers = prometheus.scrape_configs.find((j: { job_name: string }) => j.job_name === 'arena-workers');
    assert.deepEqual(workers.dns_sd_configs, [
      { names: ['worker'], type: 'A', port: Number(compose.services.worker.environment.WORKER_METRICS_PORT) },
    ]);
  });
});
