/**
 * A config change and a "run a cycle now" that reach the agent together (both sent while no worker
 * ran, say): the change saves the config to the agents table while the cycle stores the new config
 * for its activities. Their history must replay as it ran, whichever save finishes first; it did
 * not when both were local activities in flight at once (a nondeterminism error on the next replay,
 * which stalled the agent and failed every API update with FAILED_PRECONDITION).
 */
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import { getStateQuery, runCycleNowUpdate, updateConfigUpdate } from '../../workflows/definitions';
import { workflowBundle } from '../support/arena';
import { ActivityStubs, llmAgent, startStubWorker, type StubWorker } from '../support/stub-worker';

const HOUR_MS = 3_600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('workflows: a config change and a run-now together (stub activities)', function () {
  this.timeout(60_000);
  let stubs: ActivityStubs;
  let worker: StubWorker;

  beforeEach(async () => {
    stubs = new ActivityStubs(HOUR_MS); // no timed cycle: only the updates run one
    worker = await startStubWorker(stubs);
  });
  afterEach(async () => worker?.stop());

  for (const slower of ['saveAgentConfig', 'storeAgentConfig'] as const) {
    it(`applies both and replays as it ran when ${slower} finishes last`, async () => {
      const agent = llmAgent(`${worker.tag}-${slower.slice(0, 5)}`);
      const handle = await worker.startAgent(agent, HOUR_MS);
      assert.equal((await handle.executeUpdate(runCycleNowUpdate)).cycleNo, 1);

      const defaults = stubs.defaults();
      stubs.script[slower] = (async (config: typeof agent) => {
        await sleep(300);
        return defaults[slower](config);
      }) as never;
      const tuned = { ...agent, strategy: { ...agent.strategy, risk: { ...agent.strategy.risk, maxPositions: 2 } } };
      const [changed, ran] = await Promise.all([
        handle.executeUpdate(updateConfigUpdate, { args: [tuned] }),
        handle.executeUpdate(runCycleNowUpdate),
      ]);
      assert.equal(changed.strategy.risk.maxPositions, 2);
      assert.equal(ran.cycleNo, 2);
      assert.equal((await handle.query(getStateQuery)).cycleNo, 2);

      const history = await handle.fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, handle.workflowId);
    });
  }
});
