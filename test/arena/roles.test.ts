import assert from 'node:assert/strict';
import { arenaRoles } from '../../arena/roles';

describe('ARENA_RUN: what one launcher process runs', () => {
  const shared = { TEMPORAL_ADDRESS: 'temporal:7233', DATABASE_URL: 'postgres://x@db/arena' };

  it('is the whole arena by default, and any part of it on a shared cluster and database', () => {
    assert.deepEqual([...arenaRoles({})], ['agents', 'worker', 'api']);
    assert.deepEqual([...arenaRoles({ ...shared, ARENA_RUN: 'agents' })], ['agents']);
    assert.deepEqual([...arenaRoles({ ...shared, ARENA_RUN: ' worker , api ' })], ['worker', 'api']);
  });

  it('refuses an unknown part, and a part without a shared Temporal and Postgres, saying why', () => {
    assert.throws(
      () => arenaRoles({ ...shared, ARENA_RUN: 'agents,clock' }),
      /ARENA_RUN=agents,clock: expected a comma list of agents, worker, api \(unknown: clock\)/,
    );
    assert.throws(() => arenaRoles({ ARENA_RUN: 'worker' }), /set TEMPORAL_ADDRESS and DATABASE_URL/);
    assert.throws(() => arenaRoles({ TEMPORAL_ADDRESS: 'x', ARENA_RUN: 'api' }), /DATABASE_URL/);
  });
});
