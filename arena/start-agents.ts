import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { AgentConfig } from '../arena-config/types';
import type { Database } from '../db/schema';
import { agentWorkflow } from '../workflows/agent';
import { AgentInput, agentWorkflowId, updateConfigUpdate } from '../workflows/definitions';
import {
  AgentCycleAttr, AgentIdAttr, AgentModelAttr, AgentStatusAttr, AgentVenueAttr,
} from '../workflows/search-attributes';

export interface StartAgentsOptions {
  client: Client;
  db: Kysely<Database>;
  taskQueue: string;
  cycleIntervalMs: (config: AgentConfig) => number;
  lockScope?: AgentInput['lockScope'];
  log: (msg: string) => void;
}

/**
 * Ensures every agent has a running workflow. A running one keeps its state and gets the current
 * config through the validated `updateConfig` update; one that is not running starts again from
 * the last cycle in the records, so cycle numbers (and the replayed market clock) never repeat.
 */
export async function startAgents(opts: StartAgentsOptions, configs: AgentConfig[]): Promise<void> {
  for (const config of configs) {
    const workflowId = agentWorkflowId(config.id);
    const handle = opts.client.workflow.getHandle(workflowId);
    const running = await handle.describe().then((d) => d.status.name === 'RUNNING', () => false);
    if (running) {
      await handle.executeUpdate(updateConfigUpdate, { args: [config] });
      opts.log(`agent ${config.id}: already running, config refreshed`);
      continue;
    }
    const recorded = await opts.db.selectFrom('agents').select('cycle_count').where('id', '=', config.id).executeTakeFirst();
    const cycleNo = recorded?.cycle_count ?? 0;
    const input: AgentInput = {
      config,
      cycleIntervalMs: opts.cycleIntervalMs(config),
      lockScope: opts.lockScope,
      state: cycleNo > 0 ? {
        config, status: 'RUNNING', pauseReason: null, cycleNo, consecutiveFailures: 0, failedCycles: 0,
        lastCycle: null, continuedAsNew: 0,
      } : undefined,
    };
    await opts.client.workflow.start(agentWorkflow, {
      workflowId,
      taskQueue: opts.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      staticSummary: `${config.name} · ${config.decisionMaker.provider}/${config.decisionMaker.model} · ${config.exchange.type}`,
      typedSearchAttributes: [
        { key: AgentIdAttr, value: config.id },
        { key: AgentStatusAttr, value: 'RUNNING' },
        { key: AgentVenueAttr, value: `${config.exchange.type}:${config.exchange.account}` },
        { key: AgentModelAttr, value: `${config.decisionMaker.provider}/${config.decisionMaker.model}` },
        { key: AgentCycleAttr, value: cycleNo },
      ],
    });
    opts.log(`agent ${config.id}: started${cycleNo ? ` (resuming after cycle ${cycleNo})` : ''}`);
  }
}
