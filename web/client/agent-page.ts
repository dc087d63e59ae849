/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The agent page's island: draws the agent's equity and drawdown, keeps the page current from the
 * feed (a new point per cycle, the regions swapped from /fragments/agents/:id), and runs the controls.
 */
import { ApiRefusal, getJson } from './api';
import type { EquityCurve } from '../api-types';
import { AgentChart } from './charts';
import { setUpControls } from './controls';
import { LiveFeed } from './live';
import { readAgain, startLivePage } from './live-page';
import { liveRegions } from './regions';
import { askForReadToken } from './token';

const agentId = document.body.dataset.agentId!;
const chart = new AgentChart(document.getElementById('agent-chart')!);
const regions = liveRegions(`/fragments/agents/${encodeURIComponent(agentId)}`, () => controls.statusChanged());
const controls = setUpControls(agentId, () => regions.refreshNow());
const feed = new LiveFeed({
  message(message) {
    if (message.data.agent_id !== agentId) return;
    if (message.type === 'agent_update') {
      const { market_time: marketTime, account } = message.data as {
        market_time: string | null;
        account: { total_balance: number } | null;
      };
      if (marketTime && account) chart.add(marketTime, account.total_balance);
    }
    regions.refresh();
  },
  ready: () => void readAgain(regions, loadCurve),
  unauthorized: () => void askForReadToken(),
});

async function loadCurve(): Promise<void> {
  try {
    const [curve] = await getJson<EquityCurve[]>(`/api/equity-curves?agents=${encodeURIComponent(agentId)}&points=2000`);
    chart.show(curve?.points ?? []);
  } catch (err) {
    // Refused: ask for the token. Unreachable: once the feed is back it reads everything again.
    if (err instanceof ApiRefusal && err.status === 401) await askForReadToken();
  }
}

feed.follow([agentId]);
startLivePage(regions, feed, loadCurve);
