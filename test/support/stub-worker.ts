/**
 * Workflow tests without Postgres, venues or models: a Worker on a task queue of its own runs the REAL
 * workflow bundle against STUB activities (plain async functions that record each call and answer
 * from a script), on the process's shared dev server (getTestTemporal). The pattern of
 * temporalio/samples-typescript (mock activities registered on a Worker with the real workflows).
 *
 * The stubs' errors leave through the real `withDomainFailures` (activities/failures.ts), so a stub
 * that throws a domain error (LlmCallError, LockTimeoutError, VenueUnavailableError...) reaches the
 * workflow exactly as the real activity's would: same failure type, same retry or no retry.
 */
import { randomBytes } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { withDomainFailures } from '../../activities/failures';
import type { AgentConfig } from '../../arena-config/types';
import { configDigest } from '../../db/agent-configs';
import type { Decision } from '../../decisions/types';
import type { PlannedOrder, RiskVerdict } from '../../risk/types';
import type { agentWorkflow } from '../../workflows/agent';
import {
  agentWorkflowId,
  type AccountState,
  type AgentActivities,
  type AgentState,
  type ConfigRef,
  type CycleActivities,
  type DecideInput,
  type LockActivities,
  type RiskInput,
} from '../../workflows/definitions';
import { demoAgent, workflowBundle } from './arena';
import { getTestTemporal } from './temporal';

export type StubbedActivities = CycleActivities & AgentActivities & LockActivities;
export type StubName = keyof StubbedActivities;
type InputOf<K extends StubName> = Parameters<StubbedActivities[K]>[0];

export interface StubCall<K extends StubName = StubName> {
  name: K;
  input: InputOf<K>;
  /** The activity's attempt (1 for the first; a retry counts up). */
  attempt: number;
  at: number;
}

/** A bar of market time (3 minutes); the stub market time of cycle n is BASE_MARKET_TIME + n bars. */
export const BAR_MS = 180_000;
export const BASE_MARKET_TIME = Date.UTC(2024, 0, 1);
export const marketTimeOf = (cycleNo: number): number => BASE_MARKET_TIME + cycleNo * BAR_MS;
export const cycleOfMarketTime = (marketTime: number): number => (marketTime - BASE_MARKET_TIME) / BAR_MS;

const ACCOUNT: AccountState = {
  account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 },
  positions: [],
};

/**
 * Stub activities: each call is recorded, then answered by `script[name]` when the test set one, else
 * by a default that behaves like a quiet healthy cycle (the risk default mirrors the real engine's
 * safe mode: opens are refused while `safeMode` is set).
 */
export class ActivityStubs {
  readonly calls: StubCall[] = [];
  /** The configs the agents stored (storeAgentConfig), by digest, as agent_configs would hold them. */
  private readonly stored = new Map<string, AgentConfig>();
  /** Per-activity overrides; a test may change them at any time. */
  script: Partial<StubbedActivities> = {};

  /** Wall time of a bar for the agent's clock (the sync's nextBarAt / barWallMs): the agent's cadence. */
  constructor(readonly barWallMs = 300) {}

  /** The inputs of every call of one activity, in order (retries included). */
  of<K extends StubName>(name: K): Array<InputOf<K>> {
    return this.calls.filter((c) => c.name === name).map((c) => c.input as InputOf<K>);
  }

  /** The config a cycle's activity names, as the real activities read it. */
  configOf(agentConfig: ConfigRef): AgentConfig {
    if ('inline' in agentConfig) return agentConfig.inline;
    const config = this.stored.get(agentConfig.digest);
    if (!config) throw new Error(`stub: no config stored under ${agentConfig.digest}`);
    return config;
  }

  /** The model a decide call asks. */
  modelOf(input: DecideInput): { provider: string; model: string } {
    return this.configOf(input.agentConfig).decisionMaker;
  }

  callsOf<K extends StubName>(name: K): Array<StubCall<K>> {
    return this.calls.filter((c): c is StubCall<K> => c.name === name);
  }

  /** The activities to register on the worker. */
  activities(): StubbedActivities {
    const defaults = this.defaults();
    const recorded = {} as Record<StubName, (input: unknown) => Promise<unknown>>;
    for (const name of Object.keys(defaults) as StubName[]) {
      recorded[name] = async (input: unknown) => {
        this.calls.push({ name, input: input as never, attempt: Context.current().info.attempt, at: Date.now() });
        const fn = (this.script[name] ?? defaults[name]) as (input: unknown) => Promise<unknown>;
        return fn(input);
      };
    }
    return withDomainFailures(recorded) as unknown as StubbedActivities;
  }

  defaults(): StubbedActivities {
    return {
      readAccount: async ({ cycleNo }) => ({
        ...ACCOUNT,
        marketTime: marketTimeOf(cycleNo),
        nextBarAt: Date.now() + this.barWallMs,
        barWallMs: this.barWallMs,
        clockHeld: false,
        closedTrades: [],
        protect: [],
        cancel: [],
      }),
      readMarket: async ({ symbols }) => ({ prices: Object.fromEntries(symbols.map((s) => [s, 100])) }),
      askDecisionMaker: async (input) => decided(this.modelOf(input), [{ action: 'wait', reason: 'stub: nothing to do' }]),
      checkRisk: async (input) => stubRisk(input.decisions, input.safeMode, input.prices, input.mend),
      placeOrders: async (input) => ({
        executions: input.plan.orders.map((o) => ({
          symbol: o.symbol,
          leg: o.kind,
          clientOrderId: `${input.requestId}-${o.symbol}`,
          status: 'filled' as const,
          quantity: Number(o.quantity),
          price: o.referencePrice,
          fee: 0,
        })),
        closedTrades: [],
        after: ACCOUNT,
      }),
      recordCycleOutcome: async () => undefined,
      recordCycleFailure: async () => undefined,
      saveAgentConfig: async () => undefined,
      storeAgentConfig: async (config) => {
        const digest = configDigest(config);
        this.stored.set(digest, config);
        return digest;
      },
      recordLockGrant: async (grant) => Date.now() + grant.leaseMs,
    };
  }
}

/** A successful model answer as the real decide activity returns it. */
export function decided({ provider, model }: { provider: string; model: string }, decisions: Decision[], reasoning = 'stub reasoning') {
  return {
    reasoning,
    decisions,
    llm: { provider, model, tokensIn: 100, tokensOut: 20, costUsd: 0.001, latencyMs: 5, parsed: true, rejected: [] },
  };
}

/** An open the risk stub approves (outside safe mode). */
export const OPEN_BTC: Decision = {
  action: 'open_long',
  symbol: 'BTCUSDT',
  sizeUsd: 1000,
  leverage: 2,
  stopLoss: 95,
  takeProfit: 110,
  confidence: 0.8,
  reason: 'stub trend',
};

/** The risk step as the stubs play it: opens become planned orders, or are refused in safe mode. */
function stubRisk(decisions: Decision[], safeMode: boolean, prices: Record<string, number>, mend: RiskInput['mend']) {
  const verdicts: RiskVerdict[] = [];
  const orders: PlannedOrder[] = [];
  for (const decision of decisions) {
    if (decision.action === 'open_long' || decision.action === 'open_short') {
      if (safeMode) {
        verdicts.push({ decision, status: 'rejected', reason: 'safe mode: no new positions' });
        continue;
      }
      const order: PlannedOrder = {
        kind: 'open',
        symbol: decision.symbol!,
        side: decision.action === 'open_long' ? 'long' : 'short',
        quantity: '0.01',
        leverage: decision.leverage ?? 1,
        referencePrice: prices[decision.symbol!] ?? 100,
      };
      orders.push(order);
      verdicts.push({ decision, status: 'approved', reason: 'stub: approved', order });
    } else {
      verdicts.push({ decision, status: 'no_order', reason: decision.action });
    }
  }
  return { verdicts, plan: { orders, protect: mend.protect, cancel: mend.cancel } };
}

/** An LLM agent (its model call an activity of its own), on a paper account of its own. */
export function llmAgent(tag: string, maxConsecutiveFailures = 3): AgentConfig {
  const base = demoAgent('random-entry', tag);
  return {
    ...base,
    strategy: { ...base.strategy, scanIntervalMinutes: 3, symbols: ['BTCUSDT', 'ETHUSDT'] },
    decisionMaker: {
      provider: 'deepseek',
      model: 'deepseek-chat',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKeyEnv: 'DEEPSEEK_API_KEY_STUB_TEST',
      temperature: 0.1,
      maxTokens: 500,
      timeoutSeconds: 30,
      priceInputPerMillion: 0.27,
      priceOutputPerMillion: 1.1,
      maxConsecutiveFailures,
    },
  };
}

export interface StubWorker {
  env: TestWorkflowEnvironment;
  client: Client;
  taskQueue: string;
  /** Unique per worker: put it in agent ids and accounts. */
  tag: string;
  /** Starts the agent workflow on this worker's queue; it is terminated at `stop()` if still open. */
  startAgent(config: AgentConfig, cycleIntervalMs: number, state?: AgentState): Promise<WorkflowHandle<typeof agentWorkflow>>;
  /** Registers another workflow id to terminate at `stop()` (a trading lock, say). */
  cleanup(workflowId: string): void;
  /** Terminates what the test left open, then shuts the worker down. */
  stop(): Promise<void>;
}

/** A worker running the real workflow bundle with the stubs' activities, on a fresh task queue. */
export async function startStubWorker(stubs: ActivityStubs): Promise<StubWorker> {
  const env = await getTestTemporal();
  const tag = randomBytes(3).toString('hex');
  const taskQueue = `workflow-stubs-${tag}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: stubs.activities(),
    // A cancel reaches an activity with a heartbeat's answer: answer often, so cancellations land in ms.
    maxHeartbeatThrottleInterval: '100ms',
    defaultHeartbeatThrottleInterval: '100ms',
    shutdownGraceTime: '2s',
  });
  const running = worker.run();
  const opened: string[] = [];
  return {
    env,
    client: env.client,
    taskQueue,
    tag,
    async startAgent(config, cycleIntervalMs, state) {
      const workflowId = agentWorkflowId(config.id);
      opened.push(workflowId);
      return env.client.workflow.start<typeof agentWorkflow>('agentWorkflow', {
        workflowId,
        taskQueue,
        args: [{ config, cycleIntervalMs, ...(state && { state }), symbolUniverse: ['BTCUSDT', 'ETHUSDT', 'SOLUSDT'] }],
      });
    },
    cleanup(workflowId) {
      opened.push(workflowId);
    },
    async stop() {
      for (const workflowId of opened) {
        await env.client.workflow
          .getHandle(workflowId)
          .terminate('test over')
          .catch(() => undefined);
      }
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}
