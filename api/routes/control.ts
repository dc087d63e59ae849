/**
 * Everything the API asks of an agent's workflow: its status (the workflow description, answered by
 * the server without any worker), its live state (the `getState` query, only if a worker answers
 * quickly) and control (signals `pause`/`resume`/`stop`, updates `runCycleNow`/`updateConfig`).
 */
import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage, type Client,
} from '@temporalio/client';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ConfigError, validateAgentConfig } from '../arena-config/schema';
import type { AgentConfig } from '../arena-config/types';
import {
  agentWorkflowId, getStateQuery, pauseSignal, resumeSignal, runCycleNowUpdate, stopSignal, updateConfigUpdate,
  type AgentStateView,
} from '../workflows/definitions';
import { AgentStatusAttr } from '../workflows/search-attributes';
import type { ApiDeps, ApiOptions } from './app';
import { requireControlToken } from './auth';
import { AgentIdParam, envelope, errors, fail, findAgent, noAgent, ok, okAs, okJson } from './envelope';

// ---------------------------------------------------------------------------------------------
// Status and live state.

export interface AgentStatusInfo {
  /** running | paused | stopped | finished | failed | not_started */
  status: string;
  reason: string | null;
  startedAt: Date | null;
  /** The workflow's own view, when a worker answered the query in time. */
  live: AgentStateView | null;
}

const QUERY_TIMEOUT_MS = 2000;

/**
 * Status from the workflow description, which the server answers without any worker; the live state
 * through the `getState` query only when asked, and only if a worker answers within a short timeout.
 */
export async function agentStatus(client: Client, agentId: string, opts: { live?: boolean } = {}): Promise<AgentStatusInfo> {
  const handle = client.workflow.getHandle(agentWorkflowId(agentId));
  let description;
  try {
    description = await handle.describe();
  } catch {
    return { status: 'not_started', reason: null, startedAt: null, live: null };
  }
  const workflowStatus = description.status.name;
  let status: string;
  if (workflowStatus === 'RUNNING') {
    status = (description.typedSearchAttributes.get(AgentStatusAttr) ?? 'RUNNING').toLowerCase();
  } else if (workflowStatus === 'COMPLETED') {
    status = 'stopped';
  } else {
    status = workflowStatus === 'CONTINUED_AS_NEW' ? 'running' : 'failed';
  }
  const live = opts.live && workflowStatus === 'RUNNING'
    ? await within(QUERY_TIMEOUT_MS, handle.query(getStateQuery)).then((r) => (r.done ? r.value : null), () => null)
    : null;
  if (live) status = live.status.toLowerCase();
  return { status, reason: live?.pauseReason ?? null, startedAt: description.startTime, live: live && { ...live, config: publicConfig(live.config) } };
}

/** `promise`'s outcome if it settles within `ms`; a late rejection is swallowed, never unhandled. */
async function within<T>(ms: number, promise: Promise<T>): Promise<{ done: true; value: T } | { done: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ done: false }>((resolve) => { timer = setTimeout(() => resolve({ done: false }), ms); });
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The config as the API shows it. AgentConfig holds no secret (keys are variable NAMES), but a base
 * URL could carry credentials someone typed into it: those parts are masked.
 */
export function publicConfig(config: AgentConfig): AgentConfig {
  const baseUrl = config.decisionMaker?.baseUrl;
  if (!baseUrl) return config;
  return { ...config, decisionMaker: { ...config.decisionMaker, baseUrl: maskUrl(baseUrl) } };
}

function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.username || url.password) { url.username = '***'; url.password = ''; }
    for (const key of [...url.searchParams.keys()]) {
      if (/key|token|secret|sig|auth|pass/i.test(key)) url.searchParams.set(key, '***');
    }
    return url.toString();
  } catch {
    return '***';
  }
}

// ---------------------------------------------------------------------------------------------
// Schemas of what the workflow answers.

export const AgentConfigSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  decisionMaker: z.record(z.string(), z.unknown()).openapi({ description: 'provider, model, temperature, maxTokens, baseUrl, apiKeyEnv (a variable NAME), ...' }),
  exchange: z.record(z.string(), z.unknown()).openapi({ description: 'type, account, testnet, takerFeeRate, slippageRate' }),
  strategy: z.record(z.string(), z.unknown()).openapi({ description: 'initialBalance, scanIntervalMinutes, symbols, tradingStyle, risk' }),
}).openapi('AgentConfig', { description: 'The resolved agent config (camelCase, arena-config/types.ts). It holds no secret.' });

export const CycleSummarySchema = z.object({
  cycleNo: z.number().int(),
  ok: z.boolean(),
  marketTime: z.number().nullable(),
  equity: z.number().nullable(),
  positions: z.number().int(),
  summary: z.string(),
  finishedAt: z.number(),
  failureType: z.string().optional(),
  modelFailed: z.boolean().optional(),
  costUsd: z.number().optional(),
}).openapi('CycleSummary');

export const LiveStateSchema = z.object({
  status: z.enum(['RUNNING', 'PAUSED', 'STOPPED', 'FINISHED']),
  pauseReason: z.string().nullable(),
  cycleNo: z.number().int(),
  consecutiveFailures: z.number().int(),
  failedCycles: z.number().int(),
  consecutiveModelFailures: z.number().int().optional(),
  lastCycle: CycleSummarySchema.nullable(),
  continuedAsNew: z.number().int(),
  safeMode: z.boolean(),
  nextCycleAt: z.number().nullable(),
  config: AgentConfigSchema,
}).openapi('LiveState', { description: "The workflow's own view (its getState query), as it answers it" });

// ---------------------------------------------------------------------------------------------
// Control routes.

const Signalled = z.object({ agent_id: z.string(), signal: z.enum(['pause', 'resume', 'stop']), accepted: z.literal(true) });
const CycleRun = z.object({ agent_id: z.string(), cycle: CycleSummarySchema });
const Pending = z.object({
  agent_id: z.string(), update_id: z.string(), status: z.literal('pending'), message: z.string(),
}).openapi('PendingUpdate');
const ConfigChanged = z.object({ agent_id: z.string(), config: AgentConfigSchema });
const ConfigBody = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' }).openapi('AgentConfigBody', {
  description: 'PUT: a whole AgentConfig. PATCH: a JSON merge patch (RFC 7396) applied to the current config: objects merge, '
    + 'anything else (arrays included) replaces, null removes an optional field. id, exchange.type, exchange.account and '
    + 'strategy.initialBalance cannot change through the API.',
  example: { strategy: { risk: { maxLeverage: 5 } } },
});

const security = [{ bearer: [] }];
const accepted202 = {
  202: {
    content: { 'application/json': { schema: envelope(Pending) } },
    description: 'Sent; no answer within the wait (the update still runs when a worker takes it)',
  },
};

const signalRoute = (name: 'pause' | 'resume' | 'stop', summary: string) => createRoute({
  method: 'post', path: `/api/agents/{id}/${name}`, tags: ['control'], summary, security,
  request: { params: AgentIdParam },
  responses: { ...okJson(Signalled, 'The signal was delivered'), ...errors(400, 401, 404, 409, 503) },
});

const runCycleRoute = createRoute({
  method: 'post', path: '/api/agents/{id}/run-cycle', tags: ['control'], security,
  summary: 'Run a cycle now (the runCycleNow update); waits for it, up to about a minute',
  request: { params: AgentIdParam },
  responses: { ...okJson(CycleRun, 'The cycle ran: its summary'), ...accepted202, ...errors(400, 401, 404, 409, 503) },
});

const configRoute = (method: 'put' | 'patch', summary: string) => createRoute({
  method, path: '/api/agents/{id}/config', tags: ['control'], summary, security,
  request: { params: AgentIdParam, body: { content: { 'application/json': { schema: ConfigBody } }, required: true } },
  responses: { ...okJson(ConfigChanged, 'The running agent took the config'), ...accepted202, ...errors(400, 401, 404, 409, 413, 415, 503) },
});

const getConfigRoute = createRoute({
  method: 'get', path: '/api/agents/{id}/config', tags: ['agents'], summary: "The agent's current config",
  request: { params: AgentIdParam },
  responses: { ...okJson(AgentConfigSchema, 'The config of the agents table (what PATCH merges onto)'), ...errors(400, 401, 404) },
});

/** Fields a running agent keeps: its identity and its account's books. */
const FIXED_FIELDS: Array<[string, (c: AgentConfig) => unknown]> = [
  ['id', (c) => c.id], ['exchange.type', (c) => c.exchange.type], ['exchange.account', (c) => c.exchange.account],
  ['strategy.initialBalance', (c) => c.strategy.initialBalance],
];

export function controlRoutes({ db, temporal }: ApiDeps, options: ApiOptions): OpenAPIHono {
  const routes = new OpenAPIHono();
  const updateWaitMs = options.updateWaitMs ?? 60_000;
  const handleOf = (id: string) => temporal.workflow.getHandle(agentWorkflowId(id));
  const control = requireControlToken(options.auth ?? {});
  for (const action of ['pause', 'resume', 'stop', 'run-cycle']) routes.post(`/api/agents/:id/${action}`, control);
  routes.on(['PUT', 'PATCH'], '/api/agents/:id/config', control, bodyLimit({
    maxSize: 64 * 1024, onError: (c) => fail(c, 413, 'request body: at most 64 KB'),
  }));

  for (const name of ['pause', 'resume', 'stop'] as const) {
    routes.openapi(signalRoute(name, `Send the ${name} signal`), async (c) => {
      const { id } = c.req.valid('param');
      if (!(await findAgent(db, id))) return noAgent(c, id);
      const handle = handleOf(id);
      const reason = `${name} via API`;
      try {
        if (name === 'pause') await handle.signal(pauseSignal, { reason });
        else if (name === 'resume') await handle.signal(resumeSignal);
        else await handle.signal(stopSignal, { reason });
      } catch (err) {
        return notRunning(c, id, err);
      }
      return ok(c, { agent_id: id, signal: name, accepted: true as const });
    });
  }

  routes.openapi(runCycleRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    const updateId = `api-run-cycle-${randomUUID()}`;
    try {
      const outcome = await within(updateWaitMs, handleOf(id)
        .startUpdate(runCycleNowUpdate, { updateId, waitForStage: WorkflowUpdateStage.ACCEPTED })
        .then((update) => update.result()));
      if (!outcome.done) return pending(c, id, updateId, 'the cycle is still running (or no worker has taken it yet): see /decisions');
      return ok(c, { agent_id: id, cycle: outcome.value });
    } catch (err) {
      return notRunning(c, id, err);
    }
  });

  routes.openapi(getConfigRoute, async (c) => {
    const { id } = c.req.valid('param');
    const agent = await findAgent(db, id);
    return agent ? ok(c, publicConfig(agent.config as AgentConfig)) : noAgent(c, id);
  });

  const changeConfig = (method: 'put' | 'patch') => routes.openapi(
    configRoute(method, method === 'put' ? 'Replace the config (the updateConfig update)' : 'Change part of the config (JSON merge patch)'),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const agent = await findAgent(db, id);
      if (!agent) return noAgent(c, id);
      const current = agent.config as AgentConfig;
      const candidate = method === 'put' ? body : mergePatch(current, body);
      const checked = checkConfig(candidate, current);
      if (typeof checked === 'string') return fail(c, 400, checked);
      const updateId = `api-config-${randomUUID()}`;
      try {
        const outcome = await within(updateWaitMs, handleOf(id).executeUpdate(updateConfigUpdate, { args: [checked], updateId }));
        if (!outcome.done) return pending(c, id, updateId, 'no worker has taken the config yet; it applies when one does');
        await db.updateTable('agents').set({
          name: checked.name, provider: checked.decisionMaker.provider, model: checked.decisionMaker.model,
          config: JSON.stringify(checked), updated_at: new Date(),
        }).where('id', '=', id).execute();
        return ok(c, { agent_id: id, config: publicConfig(outcome.value) });
      } catch (err) {
        return notRunning(c, id, err);
      }
    },
  );
  changeConfig('put');
  changeConfig('patch');

  routes.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API_TOKEN' });
  return routes;
}

const MAX_TEXT = 4000;

/** The validated config, or a message naming the field at fault. Values of secret-looking fields are not echoed. */
function checkConfig(candidate: unknown, current: AgentConfig): AgentConfig | string {
  let config: AgentConfig;
  try {
    config = validateAgentConfig(candidate, 'config');
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return /key|secret|token|password|private/i.test(err.path) ? `config: ${err.path}: invalid value (not shown: it may be a secret)` : err.message;
  }
  const long = longText(config);
  if (long !== null) return `config: ${long}: at most ${MAX_TEXT} characters`;
  for (const [field, read] of FIXED_FIELDS) {
    if (read(config) !== read(current)) return `config: ${field}: cannot change on a running agent (${String(read(current))})`;
  }
  return config;
}

/** The path of the first text longer than MAX_TEXT (workflow history carries the config), or null. */
function longText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.length > MAX_TEXT ? path || '(body)' : null;
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = longText(item, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/**
 * JSON merge patch (RFC 7396) onto the current config: objects merge key by key, null removes,
 * anything else replaces; a key the config lacks takes the patch's value as it is. Recursion follows
 * the config, so its depth is the config's. Keys such as `__proto__` stay plain data.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(target)) return patch;
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  for (const [key, value] of Object.entries(target)) set(key, value);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else set(key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function pending(c: Context, agentId: string, updateId: string, message: string) {
  return okAs(c, 202, { agent_id: agentId, update_id: updateId, status: 'pending' as const, message });
}

/** The workflow refused (validator), has ended, or Temporal did not answer. */
function notRunning(c: Context, agentId: string, err: unknown) {
  if (err instanceof WorkflowUpdateFailedError) {
    return fail(c, 409, `agent ${agentId} refused: ${err.cause?.message ?? err.message}`);
  }
  if (err instanceof WorkflowNotFoundError) {
    return fail(c, 409, `agent ${agentId} is not running`);
  }
  return fail(c, 503, `temporal did not answer: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`);
}
