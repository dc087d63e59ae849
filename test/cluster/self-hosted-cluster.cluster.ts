/**
 * `npm run test:cluster`: the arena on a real self-hosted Temporal cluster (the server built from
 * source at docker-compose.yml's version, four service processes on the local Postgres), with its
 * launcher, two standalone workers and the API as processes, through a worker SIGKILLed in an order
 * phase, the history service SIGKILLed and restarted, the arena database's connections cut mid-cycle,
 * and the frontend restarted. After each: every agent carries on, no cycle is recorded twice or lost,
 * no order is placed twice, no workflow failed, and search-attribute queries answer on Postgres
 * visibility. This file ends in `.cluster.ts`, not `.test.ts`, so that `npm test` leaves it out.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { childEnv } from '../../infra/child-env';
import { agentWorkflowId, stopSignal } from '../../workflows/definitions';
import { ARENA_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { type ClusterArena, startClusterArena } from './support/cluster-arena';
import { composeTemporalVersion } from './support/compose-file';
import {
  assertAgentsCarryOn,
  assertBooksEqualVenue,
  assertCyclesOnceEach,
  assertNoWorkflowFailed,
  assertOrdersPlacedOnce,
  assertSearchAttributesQueryable,
  cycleCounts,
} from './support/invariants';
import type { ManagedProcess } from './support/managed-process';
import { type OrderPhase, orderActivityCompletion, orderActivityPending, waitForOrderPhase } from './support/order-phase';
import { connectionsByDatabase, terminateConnections } from './support/postgres-server';
import { runCommand } from './support/run-command';
import { DYNAMIC_CONFIG_FILE, SERVER_POOLS, TEMPORAL_SERVICES } from './support/temporal-cluster';
import { ensureTemporalServer } from './support/temporal-server-build';

const AGENTS = [
  { id: 'random-a', model: 'random_entry' },
  { id: 'random-b', model: 'random_entry' },
  { id: 'random-c', model: 'random_entry' },
  { id: 'ema', model: 'ema_trend' },
] as const;
/** Cycles every agent must record after a fault. */
const CYCLES_AFTER_FAULT = 3;
const RECOVERY_TIMEOUT_MS = 120_000;
/** Connections the arena's processes may hold: 10 for each (db/connect.ts): launcher, two workers, API; 2 for the test. */
const ARENA_CONNECTIONS = 4 * 10 + 2;
const TEMPORAL_CONNECTIONS = TEMPORAL_SERVICES.length * (SERVER_POOLS.SQL_MAX_CONNS + SERVER_POOLS.SQL_VIS_MAX_CONNS);

const log = (msg: string) => console.log(`      · ${msg}`);

describe('the arena on a self-hosted Temporal cluster (four server processes on Postgres; launcher, two workers, API)', function () {
  // The first run builds the Temporal server (about 3 minutes on 2 cores); later runs take it from the cache.
  this.timeout(20 * 60_000);
  this.bail(true);
  let run: ClusterArena;
  let startedAt = 0;
  let peakConnections = { temporal: 0, arena: 0 };

  before(async () => {
    startedAt = Date.now();
    run = await startClusterArena({ agents: AGENTS, cycleSeconds: 1, log });
  });
  afterEach(function () {
    if (this.currentTest?.state === 'failed' && run) console.error(run.logTails());
  });
  after(async () => {
    await run?.close();
  });

  /** Open connections to Temporal's and the arena's databases; the peaks are checked at the end. */
  async function sampleConnections(): Promise<void> {
    const open = await connectionsByDatabase(run.postgres);
    const temporal = (open.get(run.temporalDatabases.main) ?? 0) + (open.get(run.temporalDatabases.visibility) ?? 0);
    const arena = open.get(run.arenaDatabase) ?? 0;
    peakConnections = { temporal: Math.max(peakConnections.temporal, temporal), arena: Math.max(peakConnections.arena, arena) };
  }

  const standaloneWorker = (identity: string) => run.workerByIdentity(identity) !== undefined;
  /** The agents that trade most often (an order phase in two cycles of three). */
  const traders = () => run.agents.filter((a) => a.decisionMaker.model === 'random_entry');

  /** What must hold after every fault. `faultAt`: each agent's recorded cycles when the fault struck. */
  async function assertArenaCarriesOn(fault: string, faultAt: Map<string, number>, struckAt: number): Promise<void> {
    const counts = await assertAgentsCarryOn(run.db, run.agents, faultAt, CYCLES_AFTER_FAULT, RECOVERY_TIMEOUT_MS);
    log(
      `${fault}: every agent ${CYCLES_AFTER_FAULT} cycles further ${((Date.now() - struckAt) / 1000).toFixed(1)} s later ` +
        `(${run.agents.map((a) => `${a.id} ${counts.get(a.id)}`).join(', ')})`,
    );
    await assertCyclesOnceEach(run.db, run.agents);
    const { opens } = await assertOrdersPlacedOnce(run.db, run.agents, false);
    assert.ok(opens > 0, 'the agents have placed orders');
    await assertNoWorkflowFailed(run.client);
    await assertSearchAttributesQueryable(run.client, run.agents, Math.min(...faultAt.values()));
    await assertApiReportsAgents(faultAt);
    await sampleConnections();
  }

  /** The API process answers with every agent running and its cycle count. */
  async function assertApiReportsAgents(faultAt: Map<string, number>): Promise<void> {
    const response = await fetch(`${run.apiUrl}/api/agents`);
    assert.equal(response.status, 200, 'GET /api/agents');
    const body = (await response.json()) as { data: Array<{ id: string; status: string; cycle_count: number }> };
    for (const agent of run.agents) {
      const view = body.data.find((a) => a.id === agent.id);
      assert.equal(view?.status, 'running', `the API shows ${agent.id} running`);
      assert.ok(view.cycle_count > faultAt.get(agent.id)!, `the API shows ${agent.id}'s cycles going on`);
    }
  }

  it('runs the agents: cycles recorded, orders on the venue, workflows queryable by search attribute', async () => {
    await assertArenaCarriesOn('start', new Map(run.agents.map((a) => [a.id, 0])), startedAt);
    const registered = await run.client.connection.operatorService.listSearchAttributes({ namespace: run.client.options.namespace });
    for (const key of ARENA_SEARCH_ATTRIBUTES) {
      assert.ok(registered.customAttributes?.[key.name] !== undefined, `the launcher registered the search attribute ${key.name}`);
    }
  });

  it("runs the compose file's dynamic config, which the server itself validates", async () => {
    const { server } = await ensureTemporalServer(composeTemporalVersion());
    await runCommand(server, ['validate-dynamic-config', DYNAMIC_CONFIG_FILE], childEnv());
  });

  it('a worker SIGKILLed during an order phase: another worker finishes it, nothing placed twice', async () => {
    const faultAt = await cycleCounts(run.db, run.agents);
    let interrupted: { phase: OrderPhase; worker: ManagedProcess; at: number } | undefined;
    for (let attempt = 1; attempt <= 5 && !interrupted; attempt++) {
      const phase = await waitForOrderPhase(run.client, traders(), standaloneWorker, 60_000);
      const worker = run.workerByIdentity(phase.workerIdentity)!;
      await worker.kill('SIGKILL');
      const at = Date.now();
      // The kill may land just after the activity finished: then it interrupted nothing; try again.
      if (await orderActivityPending(run.client, phase.cycleWorkflowId)) interrupted = { phase, worker, at };
      else worker.start();
    }
    assert.ok(interrupted, 'a SIGKILL landed inside an order phase');
    const { phase, worker, at } = interrupted;
    log(`killed ${worker.name} (${phase.workerIdentity}) inside the order phase of ${phase.cycleWorkflowId}`);

    await run.client.workflow.getHandle(phase.cycleWorkflowId).result();
    const completion = await orderActivityCompletion(run.client, phase.cycleWorkflowId);
    assert.notEqual(completion.workerIdentity, phase.workerIdentity, 'another worker finished the order phase');
    assert.ok(completion.attempt >= 2, `the order phase was retried (attempt ${completion.attempt})`);
    await assertArenaCarriesOn('worker SIGKILL', faultAt, at);
    worker.start();
  });

  it('the history service SIGKILLed, then restarted', async () => {
    const history = run.cluster.services.history;
    const faultAt = await cycleCounts(run.db, run.agents);
    await history.kill('SIGKILL');
    const struckAt = Date.now();
    await sleep(3_000);
    history.start();
    await assertArenaCarriesOn('history SIGKILL + restart', faultAt, struckAt);
  });

  it("the arena database's connections cut in the middle of a cycle", async () => {
    const faultAt = await cycleCounts(run.db, run.agents);
    await waitForOrderPhase(run.client, traders(), () => true, 60_000);
    const struckAt = Date.now();
    // Three times, so that pools reconnecting after the first cut meet a second one.
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      terminated += await terminateConnections(run.postgres, run.arenaDatabase);
      await sleep(300);
    }
    log(`terminated ${terminated} sessions on ${run.arenaDatabase}`);
    assert.ok(terminated > 0, 'there were sessions to cut');
    await assertArenaCarriesOn('database connections cut', faultAt, struckAt);
  });

  it('the frontend restarted', async () => {
    const frontend = run.cluster.services.frontend;
    const faultAt = await cycleCounts(run.db, run.agents);
    await frontend.stop();
    const struckAt = Date.now();
    await sleep(2_000);
    frontend.start();
    await run.cluster.waitUntilServing();
    await assertArenaCarriesOn('frontend restart', faultAt, struckAt);
  });

  it('stops cleanly: every venue order one of ours, each position protected, the books equal to the venue', async () => {
    for (const agent of run.agents) await run.client.workflow.getHandle(agentWorkflowId(agent.id)).signal(stopSignal);
    for (const agent of run.agents) await run.client.workflow.getHandle(agentWorkflowId(agent.id)).result();
    await assertCyclesOnceEach(run.db, run.agents);
    const { opens } = await assertOrdersPlacedOnce(run.db, run.agents, true);
    await assertBooksEqualVenue(run.db, run.agents);
    await assertNoWorkflowFailed(run.client);
    const cycles = [...(await cycleCounts(run.db, run.agents)).values()].reduce((a, b) => a + b, 0);
    log(`${cycles} cycles, ${opens} opens checked on the venue`);
  });

  it('stays within its connection pools, and the server never warns about running without an authorizer', async () => {
    await sampleConnections();
    log(
      `peak connections: Temporal ${peakConnections.temporal} of ${TEMPORAL_CONNECTIONS}, arena ${peakConnections.arena} of ${ARENA_CONNECTIONS}`,
    );
    assert.ok(peakConnections.temporal <= TEMPORAL_CONNECTIONS, 'Temporal stays within its pools');
    assert.ok(peakConnections.arena <= ARENA_CONNECTIONS, 'the arena stays within its pools');
    assert.deepEqual(run.processesLogging('too many clients'), [], 'no process ran out of connections');
    assert.deepEqual(run.processesLogging('allow-no-auth'), [], 'no --allow-no-auth warning');
  });
});
