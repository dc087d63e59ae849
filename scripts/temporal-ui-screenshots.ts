/**
 * The README's pictures of the Temporal Web UI, taken in Chromium against a running arena:
 *
 *   npm start            # in one terminal; let a few cycles run
 *   npx tsx scripts/temporal-ui-screenshots.ts [agent-id]   # default ema-trend
 *
 * Writes docs/temporal-agent.png (the agent's workflow: its details and timers) and
 * docs/temporal-cycle.png (its latest cycle that placed orders, or its latest cycle: the cycle's
 * markdown details, under User Metadata). TEMPORAL_ADDRESS (localhost:7233) and TEMPORAL_UI_URL
 * (http://localhost:8233) point elsewhere.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { launchChromium } from '../test/web/browser';
import { agentWorkflowId } from '../workflows/definitions';

const agentId = process.argv[2] ?? 'ema-trend';
const address = process.env.TEMPORAL_ADDRESS ?? 'localhost:7233';
const ui = (process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233').replace(/\/+$/, '');
const docs = path.join(__dirname, '..', 'docs');

async function main(): Promise<void> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const agent = await client.workflow.getHandle(agentWorkflowId(agentId)).describe();
  let cycle: { workflowId: string; runId: string } | undefined;
  for await (const wf of client.workflow.list({
    query: `WorkflowType = 'agentCycle' AND WorkflowId STARTS_WITH '${agentWorkflowId(agentId)}-cycle-'`,
    pageSize: 50,
  })) {
    cycle ??= wf;
    const result: unknown = await client.workflow.getHandle(wf.workflowId, wf.runId).result();
    const summary = String((result as { summary?: unknown }).summary ?? '');
    if (/^(open|close)/.test(summary)) {
      cycle = wf;
      break;
    }
  }
  if (!cycle) throw new Error(`no cycle of ${agentId} yet: let the arena run a few cycles first`);

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const shoot = async (url: string, file: string, tab?: string) => {
      await page.goto(url, { waitUntil: 'networkidle' });
      if (tab) await page.getByText(tab, { exact: true }).first().click();
      await page.waitForTimeout(1_500);
      await page.screenshot({ path: path.join(docs, file) });
      console.log(`${file}: ${url}`);
    };
    await shoot(`${ui}/namespaces/default/workflows/${agent.workflowId}/${agent.runId}/history`, 'temporal-agent.png');
    await shoot(`${ui}/namespaces/default/workflows/${cycle.workflowId}/${cycle.runId}/history`, 'temporal-cycle.png', 'User Metadata');
  } finally {
    await browser.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
