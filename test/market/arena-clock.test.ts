/**
 * The replay's market clock belongs to the arena (a row in Postgres): it advances while the arena
 * runs, holds while it is down, and a restart continues from the bar it stopped at, neither jumping
 * over the time it was down nor repeating a bar.
 */
import assert from 'node:assert/strict';
import { replayClock, runReplayClock } from '../../market/clock';
import { REPLAY_BAR_MS } from '../../market/replay';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FIRST = Date.UTC(2023, 7, 1);
const WINDOW = { first: FIRST, last: FIRST + 1000 * REPLAY_BAR_MS };
/** Wall time per bar: long enough that a read lands well inside a bar. */
const BAR_WALL_MS = 1_000;

describe('the arena clock (Postgres)', function () {
  this.timeout(60_000);
  let database: MigratedTestDatabase;
  before(async () => {
    database = await createMigratedTestDatabase(2);
  });
  after(async () => database?.close());

  it('advances one bar per bar of wall time while it runs, the same bar for every reader', async () => {
    const runner = await runReplayClock(database.db, WINDOW, BAR_WALL_MS, 'advance');
    try {
      const [a, b] = [replayClock(database.db, 'advance'), replayClock(database.db, 'advance')];
      const first = await a.read();
      assert.equal(first.marketTime, FIRST);
      assert.equal(first.held, false);
      await sleep(2.5 * BAR_WALL_MS);
      const [later, other] = await Promise.all([a.read(), b.read()]);
      assert.equal(later.marketTime, FIRST + 2 * REPLAY_BAR_MS);
      assert.equal(other.marketTime, later.marketTime);
    } finally {
      await runner.stop();
    }
  });

  it('holds while the arena is down, and a restart continues at the next bar: no jump, no repeat', async () => {
    const clock = replayClock(database.db, 'restart');
    let runner = await runReplayClock(database.db, WINDOW, BAR_WALL_MS, 'restart');
    await sleep(1.5 * BAR_WALL_MS);
    await runner.stop();
    const stoppedAt = await clock.read();
    assert.equal(stoppedAt.marketTime, FIRST + REPLAY_BAR_MS);
    assert.equal(stoppedAt.held, true);

    // Down for three bars of wall time: the bar does not move.
    await sleep(3 * BAR_WALL_MS);
    const whileDown = await clock.read();
    assert.deepEqual([whileDown.marketTime, whileDown.held], [stoppedAt.marketTime, true]);

    runner = await runReplayClock(database.db, WINDOW, BAR_WALL_MS, 'restart');
    try {
      assert.equal(runner.restarted, false, 'the same data window resumes rather than starts over');
      const resumed = await clock.read();
      assert.equal(resumed.marketTime, stoppedAt.marketTime, 'a restart does not jump over the time it was down');
      assert.equal(resumed.held, false);
      // The half bar it had run before stopping counts: the next bar comes within a bar of wall time.
      await sleep(BAR_WALL_MS);
      const next = await clock.read();
      assert.equal(next.marketTime, stoppedAt.marketTime + REPLAY_BAR_MS, 'the next bar, neither repeated nor skipped');
    } finally {
      await runner.stop();
    }
  });

  it('starts over on another data window', async () => {
    let runner = await runReplayClock(database.db, WINDOW, BAR_WALL_MS, 'window');
    await sleep(1.2 * BAR_WALL_MS);
    await runner.stop();
    const other = { first: FIRST + 10 * REPLAY_BAR_MS, last: WINDOW.last };
    runner = await runReplayClock(database.db, other, BAR_WALL_MS, 'window');
    try {
      assert.equal(runner.restarted, true);
      assert.equal((await replayClock(database.db, 'window').read()).marketTime, other.first);
    } finally {
      await runner.stop();
    }
  });
});
