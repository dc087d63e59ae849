import assert from 'node:assert/strict';
import { VenueTemporaryError } from '../../venues/errors';
import { type RateLimit, type RateLimiterOptions, WeightedRateLimiter, sharedRateLimiter } from '../../venues/http/rate-limiter';

const MINUTE = 60_000;

/**
 * Fake time: `now()` reads `t`; `sleep(ms)` records the wait and advances `t` by it at once, so a
 * limiter that sleeps a minute finishes in microseconds. Waiters are served one at a time (FIFO),
 * so only one of them sleeps at any moment and the advances never overlap.
 */
class AutoClock {
  t = 0;
  readonly sleeps: number[] = [];
  readonly now = (): number => this.t;
  readonly sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    // A limiter that never gets through would otherwise spin here forever without yielding to timers.
    if (this.sleeps.length > 100) throw new Error(`runaway: slept ${this.sleeps.length} times`);
    this.t += ms;
  };
}

/**
 * Fake time moved by the test: a sleeper wakes when `advanceTo` passes its deadline. For tests that
 * change the limiter's state while a waiter is asleep.
 */
class ManualClock {
  t = 0;
  readonly sleeps: number[] = [];
  private timers: Array<{ at: number; wake: () => void }> = [];
  readonly now = (): number => this.t;
  readonly sleep = (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    return new Promise((resolve) => this.timers.push({ at: this.t + ms, wake: resolve }));
  };
  async advanceTo(t: number): Promise<void> {
    this.t = t;
    const due = this.timers.filter((timer) => timer.at <= t);
    this.timers = this.timers.filter((timer) => timer.at > t);
    for (const timer of due) timer.wake();
    await settle();
  }
}

/** Lets every pending promise callback run (the limiter chains a few per waiter). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function limiter(clock: AutoClock | ManualClock, limits: RateLimit[], options: RateLimiterOptions = {}): WeightedRateLimiter {
  return new WeightedRateLimiter('test-venue', limits, {
    headroom: 1,
    maxWaitMs: 10 * MINUTE,
    now: clock.now,
    sleep: clock.sleep,
    ...options,
  });
}

/** Runs `acquire` for each weight at once and records when (fake time) each one got through. */
async function acquireAll(rl: WeightedRateLimiter, clock: { now: () => number }, weights: Record<string, number>) {
  const served: Array<{ name: string; at: number }> = [];
  await Promise.all(
    Object.entries(weights).map(([name, weight]) =>
      rl.acquire(weight).then(() => {
        served.push({ name, at: clock.now() });
      }),
    ),
  );
  return served;
}

async function rejection(promise: Promise<unknown>): Promise<VenueTemporaryError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof VenueTemporaryError, `expected a VenueTemporaryError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('WeightedRateLimiter', () => {
  it('lets weight through at once while it fits the window', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
    for (let i = 0; i < 10; i++) await rl.acquire(1);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(clock.t, 0);
  });

  it('makes the 11th request of a 10/min limit wait until the first ones left the window (t = 60 000 + 1)', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
    await rl.acquire(10);
    await rl.acquire(1);
    assert.deepEqual(clock.sleeps, [MINUTE + 1]);
    assert.equal(clock.t, MINUTE + 1);
  });

  it('waits only for as many old entries as the new weight needs', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
    await rl.acquire(4); // t = 0
    clock.t = 1_000;
    await rl.acquire(3);
    clock.t = 2_000;
    await rl.acquire(3);
    clock.t = 5_000;
    await rl.acquire(6); // needs the 4 and the 3: both leave at 1 000 + 60 000
    assert.deepEqual(clock.sleeps, [1_000 + MINUTE + 1 - 5_000]);
    assert.equal(clock.t, 1_000 + MINUTE + 1);
  });

  it('keeps the headroom: by default only 90 % of each limit is ours', async () => {
    const clock = new AutoClock();
    const rl = new WeightedRateLimiter('test-venue', [{ intervalMs: MINUTE, limit: 10 }], {
      now: clock.now,
      sleep: clock.sleep,
      maxWaitMs: 2 * MINUTE,
    });
    await rl.acquire(9);
    assert.deepEqual(clock.sleeps, []);
    await rl.acquire(1);
    assert.deepEqual(clock.sleeps, [MINUTE + 1]);
  });

  it('honours every limit: the strictest window decides', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [
      { intervalMs: 1_000, limit: 2 },
      { intervalMs: MINUTE, limit: 3 },
    ]);
    await rl.acquire(1);
    await rl.acquire(1);
    await rl.acquire(1); // the 1 s window is full: waits until t = 1 001
    assert.equal(clock.t, 1_001);
    await rl.acquire(1); // the 1 s window has room again but the minute is full: waits until t = 60 001
    assert.deepEqual(clock.sleeps, [1_001, MINUTE + 1 - 1_001]);
    assert.equal(clock.t, MINUTE + 1);
  });

  it('serves waiters in arrival order: a light request does not overtake a heavy one', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
    await rl.acquire(5); // t = 0
    clock.t = 1_000;
    await rl.acquire(5); // t = 1 000
    // Alone, "light" would fit at t = 60 001 (when the first 5 leave); "heavy" needs t = 61 001.
    const served = await acquireAll(rl, clock, { heavy: 6, light: 1, last: 3 });
    assert.deepEqual(served, [
      { name: 'heavy', at: 1_000 + MINUTE + 1 },
      { name: 'light', at: 1_000 + MINUTE + 1 },
      { name: 'last', at: 1_000 + MINUTE + 1 },
    ]);
    assert.deepEqual(clock.sleeps, [MINUTE + 1]);
  });

  it('queues waiters in order while time is moved by hand', async () => {
    const clock = new ManualClock();
    const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 2 }]);
    await rl.acquire(2);
    const order: string[] = [];
    const a = rl.acquire(1).then(() => order.push(`a@${clock.t}`));
    const b = rl.acquire(1).then(() => order.push(`b@${clock.t}`));
    const c = rl.acquire(1).then(() => order.push(`c@${clock.t}`));
    await settle();
    assert.deepEqual(order, []);
    assert.deepEqual(clock.sleeps, [MINUTE + 1], 'only the head of the queue sleeps');
    await clock.advanceTo(MINUTE);
    assert.deepEqual(order, []);
    await clock.advanceTo(MINUTE + 1);
    // a and b fit the fresh window; c must wait for a's entry to leave.
    assert.deepEqual(order, [`a@${MINUTE + 1}`, `b@${MINUTE + 1}`]);
    assert.deepEqual(clock.sleeps, [MINUTE + 1, MINUTE + 1]);
    await clock.advanceTo(2 * MINUTE + 2);
    await Promise.all([a, b, c]);
    assert.deepEqual(order, [`a@${MINUTE + 1}`, `b@${MINUTE + 1}`, `c@${2 * MINUTE + 2}`]);
  });

  describe('observeUsed', () => {
    it("raises our count to the venue's figure", async () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
      await rl.acquire(3); // t = 0
      clock.t = 100;
      rl.observeUsed(MINUTE, 8); // the venue counted 5 more than we did (another process, the same IP)
      await rl.acquire(2); // 8 + 2 = 10: fits
      assert.deepEqual(clock.sleeps, []);
      await rl.acquire(1); // full: the oldest 3 leave at 60 000, the venue's 5 at 60 100
      assert.deepEqual(clock.sleeps, [MINUTE + 1 - 100]);
      assert.equal(clock.t, MINUTE + 1);
    });

    it('the extra weight counts from when it was observed', async () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
      clock.t = 500;
      rl.observeUsed(MINUTE, 10);
      await rl.acquire(1);
      assert.deepEqual(clock.sleeps, [MINUTE + 1]);
      assert.equal(clock.t, 500 + MINUTE + 1);
    });

    it('never lowers our count', async () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }]);
      await rl.acquire(8);
      rl.observeUsed(MINUTE, 2); // the venue's counter is behind ours: ours stands
      rl.observeUsed(MINUTE, 8); // equal: nothing added
      await rl.acquire(2);
      assert.deepEqual(clock.sleeps, []);
      await rl.acquire(1);
      assert.deepEqual(clock.sleeps, [MINUTE + 1]);
    });
  });

  describe('backOffUntil', () => {
    it('holds every request until the back-off ends, then lets them through in order', async () => {
      const clock = new ManualClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 100 }]);
      await rl.acquire(1);
      rl.backOffUntil(5_000);
      assert.equal(rl.backOffRemaining(), 5_000);
      const order: string[] = [];
      const all = ['a', 'b', 'c'].map((name) => rl.acquire(1).then(() => order.push(`${name}@${clock.t}`)));
      await settle();
      assert.deepEqual(clock.sleeps, [5_000]);
      await clock.advanceTo(4_999);
      assert.deepEqual(order, []);
      assert.equal(rl.backOffRemaining(), 1);
      await clock.advanceTo(5_000);
      await Promise.all(all);
      assert.deepEqual(order, ['a@5000', 'b@5000', 'c@5000']);
      assert.equal(rl.backOffRemaining(), 0);
    });

    it('a back-off that arrives while a waiter sleeps keeps it waiting', async () => {
      const clock = new ManualClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 1 }]);
      await rl.acquire(1);
      let served = -1;
      const waiter = rl.acquire(1).then(() => {
        served = clock.t;
      });
      await settle();
      assert.deepEqual(clock.sleeps, [MINUTE + 1]);
      rl.backOffUntil(MINUTE + 30_000); // a 429 seen by another agent
      await clock.advanceTo(MINUTE + 1);
      assert.equal(served, -1);
      assert.deepEqual(clock.sleeps, [MINUTE + 1, 30_000 - 1]);
      await clock.advanceTo(MINUTE + 30_000);
      await waiter;
      assert.equal(served, MINUTE + 30_000);
    });

    it('only ever extends the back-off', () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 1 }]);
      rl.backOffUntil(10_000);
      rl.backOffUntil(3_000);
      assert.equal(rl.backOffRemaining(), 10_000);
      clock.t = 12_000;
      assert.equal(rl.backOffRemaining(), 0);
    });
  });

  describe('maxWaitMs', () => {
    it('refuses a wait longer than maxWaitMs with a VenueTemporaryError saying when to retry', async () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }], { maxWaitMs: 15_000 });
      await rl.acquire(10);
      clock.t = 30_000;
      const err = await rejection(rl.acquire(1));
      assert.equal(err.retryAfterMs, MINUTE + 1 - 30_000);
      assert.match(err.message, /^test-venue: rate limit budget exhausted, next request possible in 31 s$/);
      assert.deepEqual(clock.sleeps, [], 'nothing slept');
      // Within maxWaitMs it sleeps.
      clock.t = 50_000;
      await rl.acquire(1);
      assert.deepEqual(clock.sleeps, [10_001]);
    });

    it('refuses a long back-off, for every waiter, and the queue keeps working afterwards', async () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 10 }], { maxWaitMs: 15_000 });
      rl.backOffUntil(120_000); // a 418 ban
      const [a, b] = await Promise.all([rejection(rl.acquire(1)), rejection(rl.acquire(1))]);
      assert.equal(a.retryAfterMs, 120_000);
      assert.equal(b.retryAfterMs, 120_000);
      clock.t = 110_000;
      await rl.acquire(1); // 10 s left: slept through
      assert.deepEqual(clock.sleeps, [10_000]);
      assert.equal(clock.t, 120_000);
    });

    it('a wait of exactly maxWaitMs is slept through', async () => {
      const clock = new AutoClock();
      const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 1 }], { maxWaitMs: MINUTE + 1 });
      await rl.acquire(1);
      await rl.acquire(1);
      assert.deepEqual(clock.sleeps, [MINUTE + 1]);
    });
  });

  it('lets a request heavier than the whole budget through once the window is empty (it would otherwise wait forever)', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [{ intervalMs: 10_000, limit: 5 }]);
    await rl.acquire(2); // t = 0
    await rl.acquire(6); // over the budget of 5: waits for the 2 to leave, then goes alone
    assert.equal(clock.t, 10_001);
    await rl.acquire(1); // the 6 fill the window until 20 001
    assert.equal(clock.t, 20_002);
    assert.deepEqual(clock.sleeps, [10_001, 10_001]);
  });

  it('setLimits replaces the limits (an empty list is ignored)', async () => {
    const clock = new AutoClock();
    const rl = limiter(clock, [{ intervalMs: MINUTE, limit: 2 }]);
    assert.deepEqual(rl.currentLimits(), [{ intervalMs: MINUTE, limit: 2 }]);
    await rl.acquire(2);
    rl.setLimits([{ intervalMs: MINUTE, limit: 5 }]);
    assert.deepEqual(rl.currentLimits(), [{ intervalMs: MINUTE, limit: 5 }]);
    await rl.acquire(3);
    assert.deepEqual(clock.sleeps, []);
    rl.setLimits([]);
    assert.deepEqual(rl.currentLimits(), [{ intervalMs: MINUTE, limit: 5 }]);
    rl.setLimits([{ intervalMs: 1_000, limit: 5 }]); // a shorter window: the minute's weight leaves sooner
    await rl.acquire(1);
    assert.deepEqual(clock.sleeps, [1_001]);
  });
});

describe('sharedRateLimiter', () => {
  it('returns one instance per key, created with the first limits asked for', () => {
    const key = `test:${process.pid}:${Date.now()}`;
    const first = sharedRateLimiter(key, [{ intervalMs: MINUTE, limit: 2400 }]);
    const again = sharedRateLimiter(key, [{ intervalMs: MINUTE, limit: 1 }]);
    assert.equal(again, first);
    assert.equal(first.name, key);
    assert.deepEqual(again.currentLimits(), [{ intervalMs: MINUTE, limit: 2400 }]);
    const other = sharedRateLimiter(`${key}:other-host`, [{ intervalMs: MINUTE, limit: 2400 }]);
    assert.notEqual(other, first);
  });

  it('shares the budget between its users', async () => {
    const clock = new AutoClock();
    const key = `test-shared:${process.pid}:${Date.now()}`;
    const options = { headroom: 1, maxWaitMs: 0, now: clock.now, sleep: clock.sleep };
    await sharedRateLimiter(key, [{ intervalMs: MINUTE, limit: 2 }], options).acquire(2); // one agent spends it all
    await rejection(sharedRateLimiter(key, [{ intervalMs: MINUTE, limit: 2 }], options).acquire(1)); // another finds none
  });
});
