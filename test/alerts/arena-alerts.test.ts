import assert from 'node:assert/strict';
import type { AgentConfig, RiskLimits } from '../../arena-config/types';
import { saveAlertSettings } from '../../db/alerts';
import { agentWorkflowId, alertDispatcherWorkflowId, stopSignal } from '../../workflows/definitions';
import { type WebhookReceiver, startWebhookReceiver } from '../support/alert-receivers';
import { type TestArena, demoAgent, eventually, startTestArena } from '../support/arena';
import { alertSettings, deliveries, webhookChannel } from './fixtures';

const withRisk = (config: AgentConfig, risk: Partial<RiskLimits>): AgentConfig => ({
  ...config,
  strategy: { ...config.strategy, risk: { ...config.strategy.risk, ...risk } },
});

describe('alerts from agents trading (dev server, Postgres, a local webhook)', function () {
  this.timeout(240_000);
  let arena: TestArena;
  let hook: WebhookReceiver;
  let agents: Record<'dailyLoss' | 'drawdown' | 'stopped' | 'idle', AgentConfig>;

  before(async () => {
    arena = await startTestArena();
    hook = await startWebhookReceiver();
    await arena.runWorker();
    agents = {
      // A limit of 0 % locks the account at the first open: the breaker and the lock trip at once.
      dailyLoss: withRisk(demoAgent('random-entry', `${arena.tag}-loss`), { maxDailyLossPct: 0 }),
      drawdown: withRisk(demoAgent('random-entry', `${arena.tag}-dd`), { maxDrawdownPct: 0 }),
      stopped: demoAgent('btc-buy-hold', arena.tag),
      idle: demoAgent('ema-trend', `${arena.tag}-idle`),
    };
    await saveAlertSettings(
      arena.db,
      alertSettings([webhookChannel(hook.url)], {
        thresholds: { failingCycles: 3, venueErrorsPer10Minutes: 5, equityDropPctPerHour: 20, noCycleMinutes: 0.25 },
      }),
      arena.taskQueue,
    );
  });
  after(async () => {
    for (const agent of Object.values(agents ?? {})) {
      await arena.client.workflow
        .getHandle(agentWorkflowId(agent.id))
        .terminate()
        .catch(() => undefined);
    }
    await arena?.client.workflow
      .getHandle(alertDispatcherWorkflowId(arena.taskQueue))
      .terminate()
      .catch(() => undefined);
    await arena?.close();
    await hook?.close();
  });

  const received = (kind: string, agentId: string) =>
    hook
      .messages()
      .filter(
        (m) =>
          (m.body.alert as { kind: string; agent_id: string }).kind === kind && (m.body.alert as { agent_id: string }).agent_id === agentId,
      );

  it('detects the events of real cycles and of the periodic checks, and delivers each once', async () => {
    await arena.start([agents.dailyLoss, agents.drawdown, agents.stopped], 200);
    // Its first cycle is minutes away: a running agent that records nothing.
    await arena.start([agents.idle], 600_000);

    await eventually('the daily loss alert', async () => received('daily_loss_limit', agents.dailyLoss.id).length > 0, 120_000);
    await eventually('the drawdown lock alert', async () => received('drawdown_lock', agents.drawdown.id).length > 0, 60_000);
    const stopped = arena.client.workflow.getHandle(agentWorkflowId(agents.stopped.id));
    await stopped.signal(stopSignal, { reason: 'stopped by the test' });
    await stopped.result();
    await eventually('the stopped agent alert', async () => received('agent_stopped', agents.stopped.id).length > 0, 30_000);
    await eventually('the idle agent alert', async () => received('no_cycle', agents.idle.id).length > 0, 60_000);

    const [loss] = received('daily_loss_limit', agents.dailyLoss.id);
    assert.match(loss!.body.text as string, new RegExp(`^🔴 ${agents.dailyLoss.id}: daily loss limit reached`));
    assert.match(String((loss!.body.alert as { fields: { reason: string } }).fields.reason), /max_daily_loss_pct/);
    assert.match(received('agent_stopped', agents.stopped.id)[0]!.body.text as string, /stopped: stopped by the test$/);

    // Every cycle keeps meeting the locks; each event still reaches the receiver once.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rows = await deliveries(arena.db);
    assert.ok(
      rows.every((d) => d.status === 'sent' && d.attempts === 1),
      JSON.stringify(rows),
    );
    assert.equal(hook.requests.length, rows.length, 'one request per outbox row');
    assert.equal(new Set(hook.requests.map((r) => r.key)).size, hook.requests.length, 'no alert twice');
    assert.equal(received('daily_loss_limit', agents.dailyLoss.id).length, 1);
    assert.equal(received('drawdown_lock', agents.drawdown.id).length, 1);
  });
});
