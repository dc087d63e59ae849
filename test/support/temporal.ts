import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../infra/temporal-cli';
import { ARENA_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';

let shared: Promise<TestWorkflowEnvironment> | undefined;

/**
 * The one dev server of this mocha process (random free port, in-memory history), started on first
 * use and stopped by the root hook in hooks.ts. Do not tear it down yourself.
 */
export function getTestTemporal(): Promise<TestWorkflowEnvironment> {
  shared ??= (async () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: await ensureTemporalCli((msg) => console.error(msg)) },
        searchAttributes: [...ARENA_SEARCH_ATTRIBUTES],
        // Low, so continue-as-new paths run within a test.
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60'],
      },
    }))();
  // A failed start is not cached: the next caller retries.
  shared.catch(() => (shared = undefined));
  return shared;
}

export async function teardownTestTemporal(): Promise<void> {
  const env = shared;
  shared = undefined;
  if (env) await (await env.catch(() => undefined))?.teardown();
}
