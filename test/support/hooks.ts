import { teardownTestTemporal } from './temporal';

/** Mocha root hooks, loaded through `require` in .mocharc.json. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await teardownTestTemporal();
  },
};
