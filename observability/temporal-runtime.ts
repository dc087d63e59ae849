import net from 'node:net';
import { Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { exposeSdkMetrics } from './exposition';
import { temporalLogger } from './temporal-logger';

export interface TemporalRuntimeOptions {
  log: Logger;
  /** Signals on which the SDK shuts its workers down itself (default: the SDK's own set). */
  shutdownSignals?: NodeJS.Signals[];
}

/**
 * Installs the process's Temporal runtime (once, before any worker or native connection): the SDK's
 * and Core's logs through the arena's logger (Core at WARN, at INFO when the level is debug), and the
 * SDK's worker metrics on a Prometheus exporter bound to a free loopback port, which `/metrics`
 * appends to the arena's own (exposition.ts): one scrape target per process.
 */
export async function installTemporalRuntime(options: TemporalRuntimeOptions): Promise<void> {
  const port = await freeLoopbackPort();
  Runtime.install({
    logger: temporalLogger(options.log),
    telemetryOptions: {
      logging: { filter: { core: options.log.isLevelEnabled('debug') ? 'INFO' : 'WARN', other: 'ERROR' }, forward: {} },
      metrics: {
        prometheus: { bindAddress: `127.0.0.1:${port}`, countersTotalSuffix: true, unitSuffix: true, useSecondsForDurations: true },
      },
    },
    ...(options.shutdownSignals && { shutdownSignals: options.shutdownSignals }),
  });
  exposeSdkMetrics(`http://127.0.0.1:${port}/metrics`);
}

/** A port that was free a moment ago (Core's exporter takes an address, not port 0). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
