/**
 * The trading lock, from the cycle's side and from the lock workflow's side, with stub activities:
 * - a lock not granted in time (the order activity's LockTimeoutError, mapped by the real
 *   withDomainFailures to the permanent `LockTimeout`): the cycle fails at once, records why, the agent goes on;
 * - a lock held by someone else: the real acquireTradingLock (update-with-start on the real lock
 *   workflow) waits inside the order activity until the holder lets go, then trades under the next token;
 * - the lock workflow itself: a withdrawn request (what acquireTradingLock does when it gives up) is
 *   never granted, and a lease that runs out passes the lock on under a higher fencing token.
 *
 * The order activity's wait is LOCK_WAIT_MS (120 s, a constant in activities/trading-lock.ts): too long
 * for a fast test, so the timeout itself is played by the stub throwing the real error class.
 */
import assert from 'node:assert/strict';
import { Context } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { LOCK_LEASE_MS, LOCK_WAIT_MS, LockTimeoutError, acquireTradingLock, releaseTradingLock } from '../../activities/trading-lock';
import type { LockGrant } from '../../workflows/trading-lock-definitions';
import { cycleWorkflowId, getStateQuery, runCycleNowUpdate, stopSignal } from '../../workflows/definitions';
import { acquireLockUpdate, releaseLockSignal, tradingLockId } from '../../workflows/trading-lock-definitions';
import { eventually } from '../support/arena';
import { ActivityStubs, OPEN_BTC, decided, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const HOUR = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('workflows: the trading lock (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;

  beforeEach(async () => {
    stubs = new ActivityStubs();
    stubs.script.askDecisionMaker = async (input) => decided(stubs.modelOf(input), [OPEN_BTC]);
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => worker?.stop());

  /** Asks the lock as the order activity does (update-with-start), from the test. */
  const ask = (lockId: string, requestId: string, leaseMs: number): Promise<LockGrant> => {
    worker.cleanup(lockId);
    return worker.client.workflow.executeUpdateWithStart(acquireLockUpdate, {
      args: [{ requesterWorkflowId: requestId, requestId, leaseMs }],
      updateId: `${requestId}-test`,
      startWorkflowOperation: new WithStartWorkflowOperation('tradingLockWorkflow', {
        workflowId: lockId,
        taskQueue: worker.taskQueue,
        args: [{ lockId }],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  };
  const release = (lockId: string, requestId: string, token: number) =>
    worker.client.workflow.getHandle(lockId).signal(releaseLockSignal, { requestId, token });

  it('fails the cycle at once on a lock timeout, records why, and goes on', async () => {
    const agent = llmAgent(`${worker.tag}-timeout`);
    const defaults = stubs.defaults();
    let lockFree = false;
    stubs.script.placeOrders = async (input) => {
      if (!lockFree) throw new LockTimeoutError(`trading lock ${input.lockId} not granted within ${LOCK_WAIT_MS / 1000} s`);
      return defaults.placeOrders(input);
    };
    const handle = await worker.startAgent(agent, HOUR);

    const failed = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(failed.ok, false);
    assert.equal(failed.failureType, 'LockTimeout');
    assert.match(failed.summary, /^failed: trading lock lock-paper-\S+ not granted within 120 s$/);
    const orders = stubs.callsOf('placeOrders');
    assert.deepEqual(
      orders.map((c) => c.attempt),
      [1],
      'LockTimeout is permanent: the order phase is not retried',
    );
    assert.equal(orders[0]!.input.lockId, tradingLockId('paper', agent.exchange.account));
    assert.equal(orders[0]!.input.requestId, cycleWorkflowId(agent.id, 1), 'the cycle asks under its own id');
    const [failure] = stubs.of('recordCycleFailure');
    assert.equal(failure!.cycleNo, 1);
    assert.match(failure!.error, /^LockTimeout: trading lock lock-paper-/);
    assert.equal(typeof failure!.marketTime, 'number');
    assert.equal(stubs.of('recordCycleOutcome').length, 0, 'a failed cycle writes its failure, not a decision log');
    let state = await handle.query(getStateQuery);
    assert.equal(state.status, 'RUNNING');
    assert.equal(state.consecutiveFailures, 1);
    assert.equal(state.failedCycles, 1);

    lockFree = true;
    const next = await handle.executeUpdate(runCycleNowUpdate);
    assert.equal(next.ok, true);
    assert.equal(next.summary, 'open long BTCUSDT 0.01 @2x');
    state = await handle.query(getStateQuery);
    assert.equal(state.consecutiveFailures, 0);
    assert.equal(state.failedCycles, 1);
    await handle.signal(stopSignal);
    assert.equal((await handle.result()).status, 'STOPPED');
  });

  it('waits in the order phase while someone else holds the lock, then trades under the next token', async () => {
    const agent = llmAgent(`${worker.tag}-queued`);
    const lockId = tradingLockId('paper', agent.exchange.account);
    const defaults = stubs.defaults();
    const grants: LockGrant[] = [];
    // The order activity's lock protocol, real: acquire (update-with-start), trade, release.
    stubs.script.placeOrders = async (input) => {
      const beat = setInterval(() => Context.current().heartbeat(), 500);
      try {
        const grant = await acquireTradingLock(worker.client, input.lockId, input.requestId);
        grants.push(grant);
        try {
          return await defaults.placeOrders(input);
        } finally {
          await releaseTradingLock(worker.client, input.lockId, input.requestId, grant.token);
        }
      } finally {
        clearInterval(beat);
      }
    };
    const other = await ask(lockId, 'someone-else', 60_000);
    assert.equal(other.token, 1);
    const handle = await worker.startAgent(agent, HOUR);

    const cycle = handle.executeUpdate(runCycleNowUpdate);
    let done = false;
    void cycle.finally(() => (done = true)).catch(() => undefined);
    await eventually('the order phase to ask for the lock', async () => stubs.of('placeOrders').length > 0, 20_000);
    await sleep(1500);
    assert.equal(grants.length, 0, 'not granted while someone else holds it');
    assert.equal(done, false, 'the cycle waits for its order phase');

    await release(lockId, 'someone-else', 1);
    const summary = await cycle;
    assert.equal(summary.ok, true, summary.summary);
    assert.equal(summary.summary, 'open long BTCUSDT 0.01 @2x');
    assert.equal(grants.length, 1);
    assert.equal(grants[0]!.token, 2, 'the next fencing token');
    assert.equal(grants[0]!.requestId, cycleWorkflowId(agent.id, 1));
    assert.deepEqual(
      stubs.of('recordLockGrant').map((g) => [g.token, g.holder, g.leaseMs]),
      [
        [1, 'someone-else', 60_000],
        [2, cycleWorkflowId(agent.id, 1), LOCK_LEASE_MS],
      ],
    );
    assert.equal(stubs.of('recordCycleOutcome')[0]!.executions[0]!.status, 'filled');

    // The cycle gave the lock back: the next request is granted at once.
    const after = await ask(lockId, 'later', 60_000);
    assert.equal(after.token, 3);
    await handle.signal(stopSignal);
    assert.equal((await handle.result()).status, 'STOPPED');
  });

  it('never grants a withdrawn request, and passes the lock on when a lease runs out', async () => {
    const lockId = `lock-test-${worker.tag}`;
    assert.equal((await ask(lockId, 'a', 60_000)).token, 1);

    // b waits behind a, then gives up (acquireTradingLock's timeout withdraws with token 0).
    const b = ask(lockId, 'b', 60_000);
    b.catch(() => undefined); // asserted below
    await eventually(
      'b queued (its update accepted)',
      async () =>
        ((await worker.client.workflow.getHandle(lockId).fetchHistory()).events ?? []).some(
          (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === 'b-test',
        ),
      20_000,
    );
    await release(lockId, 'b', 0);
    await assert.rejects(
      b,
      (err: unknown) =>
        err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'LockWithdrawn',
    );

    await release(lockId, 'a', 1);
    assert.equal((await ask(lockId, 'c', 500)).token, 2, 'b never took a token');

    // c never releases: its 500 ms lease ends, and d gets the lock under a higher token (c is fenced out).
    const askedAt = Date.now();
    const d = await ask(lockId, 'd', 60_000);
    assert.equal(d.token, 3);
    assert.ok(Date.now() - askedAt >= 300, `d waited for c's lease (${Date.now() - askedAt} ms)`);
    assert.deepEqual(
      stubs.of('recordLockGrant').map((g) => [g.holder, g.token]),
      [
        ['a', 1],
        ['c', 2],
        ['d', 3],
      ],
    );
    const history = (await worker.client.workflow.getHandle(lockId).fetchHistory()).events ?? [];
    assert.ok(
      history.some((e) => e.timerFiredEventAttributes),
      "the lease ended on the lock's timer",
    );
  });
});
