/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The arena page's island: draws every agent's equity, then keeps the page current from the feed
 * (a new point per cycle on the chart, the ranking and summary swapped from /fragments/arena).
 */
import { ApiRefusal, getJson } from './api';
import type { EquityCurve } from '../api-types';
import { ArenaChart } from './charts';
import { LiveFeed } from './live';
import { readAgain, startLivePage } from './live-page';
import { liveRegions } from './regions';
import { askForReadToken } from './token';

const chart = new ArenaChart(document.getElementById('equity-chart')!, document.getElementById('equity-legend')!);
const regions = liveRegions('/fragments/arena', () => {
  // An agent started since the page was drawn: draw it and follow it too.
  if (rankedAgents().some((id) => !chart.agents().includes(id))) void loadCurves();
});
const feed = new LiveFeed({
  message(message) {
    if (message.type !== 'agent_update') return;
    const {
      agent_id: agentId,
      market_time: marketTime,
      account,
    } = message.data as { agent_id: string; market_time: string | null; account: { total_balance: number } | null };
    if (marketTime && account) chart.add(agentId, marketTime, account.total_balance);
    regions.refresh();
  },
  ready: () => void readAgain(regions, loadCurves),
  unauthorized: () => void askForReadToken(),
});

function rankedAgents(): string[] {
  return [...document.querySelectorAll<HTMLElement>('tr[data-agent]')].map((row) => row.dataset.agent!);
}

async function loadCurves(): Promise<void> {
  try {
    const curves = await getJson<EquityCurve[]>('/api/equity-curves?points=2000');
    chart.show(curves);
    feed.follow(curves.map((c) => c.agent_id));
  } catch (err) {
    // Refused: ask for the token. Unreachable: once the feed is back it reads everything again.
    if (err instanceof ApiRefusal && err.status === 401) await askForReadToken();
  }
}

/** No agent to follow yet: look again now and then, until the arena has started some. */
const EMPTY_ARENA_POLL_MS = 10_000;
window.setInterval(() => {
  if (chart.agents().length === 0) regions.refresh();
}, EMPTY_ARENA_POLL_MS);

feed.follow(rankedAgents());
startLivePage(regions, feed, loadCurves);
