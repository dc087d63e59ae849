import { registry } from './metrics';

/** The Prometheus text format, as both prom-client and the SDK's exporter write it. */
export const METRICS_CONTENT_TYPE = registry.contentType;

let sdkMetricsUrl: string | undefined;

/** Where the Temporal SDK's exporter of this process serves its metrics (temporal-runtime.ts). */
export function exposeSdkMetrics(url: string): void {
  sdkMetricsUrl = url;
}

/**
 * Everything this process counts, in one text: the arena's registry, then the Temporal SDK's worker
 * metrics read from its local exporter (nothing of them when it does not answer: the arena's own are
 * never held back by it). Their names do not meet: `arena_*`, `process_*`, `nodejs_*` vs `temporal_*`.
 */
export async function processMetricsText(): Promise<string> {
  const [own, sdk] = await Promise.all([registry.metrics(), sdkMetricsText()]);
  return joinExpositions(own, sdk);
}

async function sdkMetricsText(): Promise<string> {
  if (!sdkMetricsUrl) return '';
  try {
    const response = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(2000) });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

/** Text expositions one after the other, each ending its last line. */
export function joinExpositions(...texts: string[]): string {
  return texts
    .filter((t) => t.trim() !== '')
    .map((t) => (t.endsWith('\n') ? t : `${t}\n`))
    .join('');
}
