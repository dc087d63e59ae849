/**
 * Control of a running agent, mounted at /api/agents: signals `pause`/`resume`/`stop`, updates
 * `runCycleNow`/`updateConfig`. Every route of this group needs the control token (the group's
 * middleware, on each of its paths).
 */
import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import {
  ApplicationFailure,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ConfigChangeRefused, RUNTIME_FIELDS, checkConfigChange } from '../../arena-config/runtime-changes';
import { ConfigError } from '../../arena-config/schema';
import type { AgentConfig } from '../../arena-config/types';
import { agentWorkflowId, pauseSignal, resumeSignal, runCycleNowUpdate, stopSignal, updateConfigUpdate } from '../../workflows/definitions';
import { within } from '../agent-state';
import { requireControlToken } from '../auth';
import type { ApiOptions, RouteDeps } from '../deps';
import { AgentIdParam, envelope, errors, fail, findAgent, noAgent, ok, okAs, okJson } from '../envelope';
import { mergePatch } from '../merge-patch';
import { publicConfig } from '../public-config';
import { AgentConfigSchema, CycleSummarySchema } from '../views/agent-views';

const Signalled = z.object({ agent_id: z.string(), signal: z.enum(['pause', 'resume', 'stop']), accepted: z.literal(true) });
const CycleRun = z.object({ agent_id: z.string(), cycle: CycleSummarySchema });
const Pending = z
  .object({
    agent_id: z.string(),
    update_id: z.string(),
    status: z.literal('pending'),
    message: z.string(),
  })
  .openapi('PendingUpdate');
const ConfigChanged = z.object({ agent_id: z.string(), config: AgentConfigSchema });
const ConfigBody = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' }).openapi('AgentConfigBody', {
  description:
    'PUT: a whole AgentConfig. PATCH: a JSON merge patch (RFC 7396) applied to the current config: objects merge, ' +
    'anything else (arrays included) replaces, null removes an optional field. Only these may change while the agent runs: ' +
    `${RUNTIME_FIELDS.join(', ')}; everything else (provider, model, base URLs, key and credential variables, venue, ` +
    'account, testnet, fees, initial balance) is set in the agent file and refused here with a 400 naming the field.',
  example: { strategy: { risk: { maxLeverage: 5 } } },
});

const security = [{ bearer: [] }];
const accepted202 = {
  202: {
    content: { 'application/json': { schema: envelope(Pending) } },
    description: 'Sent; no answer within the wait (the update still runs when a worker takes it)',
  },
};

const signalRoute = (name: 'pause' | 'resume' | 'stop', summary: string) =>
  createRoute({
    method: 'post',
    path: `/{id}/${name}`,
    tags: ['control'],
    summary,
    security,
    request: { params: AgentIdParam },
    responses: { ...okJson(Signalled, 'The signal was delivered'), ...errors(400, 401, 404, 409, 503) },
  });

const runCycleRoute = createRoute({
  method: 'post',
  path: '/{id}/run-cycle',
  tags: ['control'],
  security,
  summary: 'Run a cycle now (the runCycleNow update); waits for it, up to about a minute',
  request: { params: AgentIdParam },
  responses: { ...okJson(CycleRun, 'The cycle ran: its summary'), ...accepted202, ...errors(400, 401, 404, 409, 503) },
});

const configRoute = (method: 'put' | 'patch', summary: string) =>
  createRoute({
    method,
    path: '/{id}/config',
    tags: ['control'],
    summary,
    security,
    request: { params: AgentIdParam, body: { content: { 'application/json': { schema: ConfigBody } }, required: true } },
    responses: {
      ...okJson(ConfigChanged, 'The running agent took the config'),
      ...accepted202,
      ...errors(400, 401, 404, 409, 413, 415, 503),
    },
  });

const MAX_TEXT = 4000;

export function controlRoutes({ db, temporal, states }: RouteDeps, options: ApiOptions): OpenAPIHono {
  const routes = new OpenAPIHono();
  const updateWaitMs = options.updateWaitMs ?? 60_000;
  const handleOf = (id: string) => temporal.workflow.getHandle(agentWorkflowId(id));
  const control = requireControlToken(options.auth ?? {});
  routes.on('POST', ['/:id/pause', '/:id/resume', '/:id/stop', '/:id/run-cycle'], control);
  routes.on(['PUT', 'PATCH'], '/:id/config', control);
  routes.on(
    ['PUT', 'PATCH'],
    '/:id/config',
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => fail(c, 413, 'request body: at most 64 KB'),
    }),
  );

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
        return notRunning(c, id, handle, err);
      } finally {
        states.invalidate(id);
      }
      return ok(c, { agent_id: id, signal: name, accepted: true as const });
    });
  }

  routes.openapi(runCycleRoute, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await findAgent(db, id))) return noAgent(c, id);
    const updateId = `api-run-cycle-${randomUUID()}`;
    try {
      const outcome = await within(
        updateWaitMs,
        handleOf(id)
          .startUpdate(runCycleNowUpdate, { updateId, waitForStage: WorkflowUpdateStage.ACCEPTED })
          .then((update) => update.result()),
      );
      if (!outcome.done) return pending(c, id, updateId, 'the cycle is still running (or no worker has taken it yet): see /decisions');
      return ok(c, { agent_id: id, cycle: outcome.value });
    } catch (err) {
      return notRunning(c, id, handleOf(id), err);
    } finally {
      states.invalidate(id);
    }
  });

  const changeConfig = (method: 'put' | 'patch') =>
    routes.openapi(
      configRoute(
        method,
        method === 'put' ? 'Replace the config (the updateConfig update)' : 'Change part of the config (JSON merge patch)',
      ),
      async (c) => {
        const { id } = c.req.valid('param');
        const body = c.req.valid('json');
        const agent = await findAgent(db, id);
        if (!agent) return noAgent(c, id);
        // A bad change is refused at once, against the records' copy (the workflow writes it whenever it
        // takes a change); a good one is checked again against the workflow's own config, which owns it.
        const early = checkConfig(agent.config, method === 'put' ? body : mergePatch(agent.config, body), undefined, 'shape');
        if (typeof early === 'string') return fail(c, 400, early);
        states.invalidate(id);
        const live = await states.liveState(id);
        const current = live?.config ?? agent.config;
        const candidate = method === 'put' ? body : mergePatch(current, body);
        const checked = checkConfig(current, candidate, live?.symbolUniverse, 'change');
        if (typeof checked === 'string') return fail(c, 400, checked);
        const updateId = `api-config-${randomUUID()}`;
        try {
          const outcome = await within(updateWaitMs, handleOf(id).executeUpdate(updateConfigUpdate, { args: [checked], updateId }));
          // The workflow writes the agents table's copy itself when it applies the change (now, or when a worker takes it).
          if (!outcome.done) return pending(c, id, updateId, 'no worker has taken the config yet; it applies when one does');
          return ok(c, { agent_id: id, config: publicConfig(outcome.value) });
        } catch (err) {
          const refused = configRefusal(err);
          return refused ? fail(c, 400, refused) : notRunning(c, id, handleOf(id), err);
        } finally {
          states.invalidate(id);
        }
      },
    );
  changeConfig('put');
  changeConfig('patch');

  routes.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'API_TOKEN' });
  return routes;
}

/**
 * The validated config, or a message naming the field at fault: the same rule as the workflow's
 * updateConfig validator (arena-config/runtime-changes.ts). Values of secret-looking fields are not echoed.
 */
function checkConfig(
  current: AgentConfig,
  candidate: unknown,
  symbolUniverse: string[] | undefined,
  what: 'shape' | 'change',
): AgentConfig | string {
  let config: AgentConfig;
  try {
    // Against the records' copy only the config itself and its fixed fields are judged (symbols need the workflow's universe).
    config = checkConfigChange(
      current,
      candidate,
      what === 'shape' ? [...new Set([...current.strategy.symbols, ...symbolsOf(candidate)])] : symbolUniverse,
    );
  } catch (err) {
    if (err instanceof ConfigChangeRefused) return err.message;
    if (!(err instanceof ConfigError)) throw err;
    return /key|secret|token|password|private/i.test(err.path)
      ? `config: ${err.path}: invalid value (not shown: it may be a secret)`
      : err.message;
  }
  const long = longText(config);
  if (long !== null) return `config: ${long}: at most ${MAX_TEXT} characters`;
  return config;
}

function symbolsOf(candidate: unknown): string[] {
  const symbols = (candidate as { strategy?: { symbols?: unknown } } | null)?.strategy?.symbols;
  return Array.isArray(symbols) ? symbols.filter((s): s is string => typeof s === 'string') : [];
}

/** The workflow's validator refused the change under the shared rule: its message, else null. */
function configRefusal(err: unknown): string | null {
  if (!(err instanceof WorkflowUpdateFailedError)) return null;
  const cause = err.cause;
  return cause instanceof ApplicationFailure && (cause.type === 'ConfigChangeRefused' || cause.type === 'ConfigError')
    ? cause.message
    : null;
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

function pending(c: Context, agentId: string, updateId: string, message: string) {
  return okAs(c, 202, { agent_id: agentId, update_id: updateId, status: 'pending' as const, message });
}

/** The workflow refused (validator), has ended, or Temporal did not answer. */
async function notRunning(c: Context, agentId: string, handle: WorkflowHandle, err: unknown) {
  if (err instanceof WorkflowUpdateFailedError) {
    return fail(c, 409, `agent ${agentId} refused: ${err.cause?.message ?? err.message}`);
  }
  // A run that has just closed is not always answered with NotFound (an update can meet another
  // service error): its description tells.
  const closed =
    err instanceof WorkflowNotFoundError ||
    (await handle.describe().then(
      (d) => d.status.name !== 'RUNNING',
      () => false,
    ));
  if (closed) {
    return fail(c, 409, `agent ${agentId} is not running`);
  }
  return fail(c, 503, `temporal did not answer: ${describeError(err).slice(0, 300)}`);
}

/** The error's message and its cause's (a gRPC status says more than "Workflow Update failed"). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : '';
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}
