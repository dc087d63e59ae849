import { DefaultLogger, Runtime } from '@temporalio/worker';
import { teardownTestTemporal } from './temporal';

// Tests fail activities on purpose; the SDK's warnings about them would bury the test report.
Runtime.install({ logger: new DefaultLogger('ERROR') });

/** Mocha root hooks, loaded through `require` in .mocharc.json. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await teardownTestTemporal();
  },
};
