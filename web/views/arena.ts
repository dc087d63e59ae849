/**
 * The arena page (`/`): every agent's equity on one chart (drawn in the browser), the ranking with
 * each agent's status, and the market time. The ranking and the summary are regions that the
 * browser swaps after each cycle.
 */
import { html } from 'hono/html';
import type { ApiReader } from '../api-reader';
import type { AgentDetail, EquityPoint, LeaderboardRow } from '../api-types';
import { count, money, pct, ratio, signedMoney, signedPct, usd, utcTime } from '../format';
import { seriesIndex } from '../palette';
import { type Html, chartAttribution, page, scrollTable, section } from './layout';
import { type Loaded, agentStatus, figure, load, region, signed, statusBadge } from './parts';

export interface RankingRow {
  entry: LeaderboardRow;
  detail: AgentDetail;
  /** The latest equity snapshot: market time and open positions. */
  last: EquityPoint | null;
}

export type ArenaData = Loaded<RankingRow[]>;

export function loadArena(api: ApiReader): Promise<ArenaData> {
  return load(async () => {
    const entries = await api.get<LeaderboardRow[]>('/api/leaderboard');
    return Promise.all(entries.map(async (entry) => {
      const id = encodeURIComponent(entry.agent_id);
      const [detail, history] = await Promise.all([
        api.get<AgentDetail>(`/api/agents/${id}`),
        api.get<EquityPoint[]>(`/api/agents/${id}/equity-history?limit=1`),
      ]);
      return { entry, detail, last: history[0] ?? null };
    }));
  });
}

interface Column {
  label: string;
  /** The API's field: the cell's `data-field`, what the tests compare. */
  field: string;
  cell(row: RankingRow): Html | string;
  numeric?: boolean;
}

/** The ranking's columns, in order: a new figure of the leaderboard is one more line here. */
const COLUMNS: Column[] = [
  { label: 'Status', field: 'status', cell: (r) => statusBadge(agentStatus(r.detail)) },
  { label: 'Equity', field: 'equity', cell: (r) => money(r.entry.equity), numeric: true },
  { label: 'Return', field: 'return_pct', cell: (r) => signed(r.entry.return_pct, signedPct), numeric: true },
  { label: 'PnL', field: 'pnl', cell: (r) => signed(r.entry.pnl, signedMoney), numeric: true },
  { label: 'Max drawdown', field: 'max_drawdown_pct', cell: (r) => figure(r.entry.max_drawdown_pct, pct), numeric: true },
  { label: 'Win rate', field: 'win_rate', cell: (r) => figure(r.entry.win_rate, pct), numeric: true },
  { label: 'Trades', field: 'trades', cell: (r) => count(r.entry.trades), numeric: true },
  { label: 'Open positions', field: 'positions', cell: (r) => count(r.last?.positions ?? 0), numeric: true },
  { label: 'Model cost', field: 'llm_cost_usd', cell: (r) => usd(r.entry.llm_cost_usd), numeric: true },
  { label: 'Sharpe', field: 'sharpe_ratio', cell: (r) => figure(r.entry.sharpe_ratio, ratio), numeric: true },
  { label: 'Cycles', field: 'cycle_count', cell: (r) => count(r.detail.cycle_count), numeric: true },
];

const summaryRegion = (data: ArenaData) => region('summary', data, () => summary(data.ok ? data.data : []));
const rankingRegion = (data: ArenaData) => region('ranking', data, () => ranking(data.ok ? data.data : []));

/** What /fragments/arena answers: the regions that change with each cycle. */
export function arenaRegions(data: ArenaData): Html {
  return html`${summaryRegion(data)}${rankingRegion(data)}`;
}

export function arenaPage(data: ArenaData): Html {
  return page({
    title: 'Arena',
    script: 'arena-page.js',
    main: html`<h1>Arena</h1>
${summaryRegion(data)}
${section('equity', 'Equity over market time', html`<div class="chart" id="equity-chart" role="img"
  aria-label="Line chart: each agent's equity over market time (the ranking table has the figures)"></div>
<ul class="legend" id="equity-legend" aria-label="Chart lines"></ul>
${chartAttribution()}`)}
${rankingRegion(data)}`,
  });
}

function summary(rows: RankingRow[]): Html {
  const times = rows.flatMap((r) => (r.last ? [r.last.market_time] : [])).sort();
  const first = times[0];
  const last = times.at(-1);
  const statuses = new Map<string, number>();
  for (const r of rows) {
    const label = agentStatus(r.detail).label.toLowerCase();
    statuses.set(label, (statuses.get(label) ?? 0) + 1);
  }
  const breakdown = [...statuses].map(([label, n]) => `${n} ${label}`).join(', ');
  return html`<dl class="summary">
  <div><dt>Market time</dt><dd data-field="market_time">${
    !first ? 'no cycle yet' : first === last ? utcTime(last) : html`${utcTime(first)} to ${utcTime(last)} <small>(each agent on its own clock)</small>`
  }</dd></div>
  <div><dt>Agents</dt><dd data-field="agents">${count(rows.length)}${breakdown ? ` (${breakdown})` : ''}</dd></div>
</dl>`;
}

function ranking(rows: RankingRow[]): Html {
  if (rows.length === 0) return html`<p>No agents yet: they appear here once the arena has started them.</p>`;
  const ids = rows.map((r) => r.entry.agent_id);
  return section('ranking', 'Ranking', html`<p class="note">Ranked by return. n/a: the API has no figure yet (no closed trade, too few returns).</p>
${scrollTable('Ranking', html`<table class="ranking">
  <thead><tr><th scope="col">#</th><th scope="col">Agent</th>${COLUMNS.map((c) => html`<th scope="col"${c.numeric ? html` class="num"` : ''}>${c.label}</th>`)}</tr></thead>
  <tbody>
  ${rows.map((r) => html`<tr data-agent="${r.entry.agent_id}">
    <td data-field="rank">${r.entry.rank}</td>
    <th scope="row" class="agent"><span class="swatch series-${seriesIndex(r.entry.agent_id, ids)}" aria-hidden="true"></span><a href="/agents/${encodeURIComponent(r.entry.agent_id)}">${r.entry.name}</a>
      <small>${r.entry.provider} · ${r.entry.model}</small></th>
    ${COLUMNS.map((c) => html`<td data-field="${c.field}"${c.numeric ? html` class="num"` : ''}>${c.cell(r)}</td>`)}
  </tr>`)}
  </tbody>
</table>`)}`);
}
