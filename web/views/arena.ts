/**
 * The arena page (`/`): every agent's equity on one chart (drawn in the browser), the ranking with
 * each agent's status, and the arena's market time (each agent's own when its figures are behind).
 * The ranking and the summary are regions that the browser swaps after each cycle.
 */
import { html } from 'hono/html';
import { SHARPE_RULE, describeRule } from '../../analytics/sample-rules';
import type { ApiReader } from '../api-reader';
import type { AgentDetail, LeaderboardRow } from '../api-types';
import { count, duration, money, pct, ratio, signedMoney, signedPct, usd, utcTime } from '../format';
import { seriesIndex } from '../palette';
import { type Html, chartAttribution, page, scrollTable, section } from './layout';
import { type Loaded, agentStatus, figure, heldFigure, load, region, signed, statusBadge, vsRandomFigure } from './parts';

export interface RankingRow {
  entry: LeaderboardRow;
  detail: AgentDetail;
}

export type ArenaData = Loaded<RankingRow[]>;

export function loadArena(api: ApiReader): Promise<ArenaData> {
  return load(async () => {
    const entries = await api.get<LeaderboardRow[]>('/api/leaderboard');
    return Promise.all(
      entries.map(async (entry) => ({
        entry,
        detail: await api.get<AgentDetail>(`/api/agents/${encodeURIComponent(entry.agent_id)}`),
      })),
    );
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
  { label: 'Figures as of', field: 'as_of', cell: (r) => asOf(r.entry) },
  { label: 'Equity', field: 'equity', cell: (r) => money(r.entry.equity), numeric: true },
  { label: 'Return', field: 'return_pct', cell: (r) => signed(r.entry.return_pct, signedPct), numeric: true },
  { label: 'PnL', field: 'pnl', cell: (r) => signed(r.entry.pnl, signedMoney), numeric: true },
  { label: 'Max drawdown', field: 'max_drawdown_pct', cell: (r) => figure(r.entry.max_drawdown_pct, pct), numeric: true },
  { label: 'Win rate', field: 'win_rate', cell: (r) => figure(r.entry.win_rate, pct), numeric: true },
  { label: 'Closed trades', field: 'trades', cell: (r) => count(r.entry.trades), numeric: true },
  { label: 'Open trades', field: 'open_trades', cell: (r) => count(r.entry.open_trades), numeric: true },
  { label: 'Model cost', field: 'llm_cost_usd', cell: (r) => usd(r.entry.llm_cost_usd), numeric: true },
  {
    label: 'Sharpe',
    field: 'sharpe_ratio',
    cell: (r) => heldFigure(r.entry.sharpe_ratio, r.entry.sharpe_ratio_note, ratio),
    numeric: true,
  },
  {
    label: 'vs random entry',
    field: 'vs_random_entry',
    cell: (r) => vsRandomFigure(r.entry.vs_random_entry, r.entry.vs_random_entry_note),
    numeric: true,
  },
  { label: 'Cycles', field: 'cycle_count', cell: (r) => count(r.detail.cycle_count), numeric: true },
];

/** "current" when the agent's figures are at the arena's bar; else their market time and how far behind. */
function asOf(entry: LeaderboardRow): Html | string {
  if (entry.as_of === null || entry.behind_seconds === null) return html`<span class="missing">no cycle yet</span>`;
  if (entry.behind_seconds === 0) return 'current';
  return html`${utcTime(entry.as_of)} <small class="behind">${duration(entry.behind_seconds)} behind</small>`;
}

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
      ${section(
        'equity',
        'Equity over market time',
        html`<div
            class="chart"
            id="equity-chart"
            role="img"
            aria-label="Line chart: each agent's equity over market time (the ranking table has the figures)"
          ></div>
          <ul class="legend" id="equity-legend" aria-label="Chart lines"></ul>
          ${chartAttribution()}`,
      )}
      ${rankingRegion(data)}`,
  });
}

function summary(rows: RankingRow[]): Html {
  // Every entry carries the arena's one market time.
  const marketTime = rows[0]?.entry.market_time ?? null;
  const behind = rows.filter((r) => (r.entry.behind_seconds ?? 0) > 0).length;
  const statuses = new Map<string, number>();
  for (const r of rows) {
    const label = agentStatus(r.detail).label.toLowerCase();
    statuses.set(label, (statuses.get(label) ?? 0) + 1);
  }
  const breakdown = [...statuses].map(([label, n]) => `${n} ${label}`).join(', ');
  return html`<dl class="summary">
    <div>
      <dt>Market time</dt>
      <dd data-field="market_time">
        ${
          marketTime === null
            ? 'no cycle yet'
            : html`${utcTime(marketTime)}${
                behind > 0
                  ? html` <small class="behind" data-field="behind"
                      >(${count(behind)} ${behind === 1 ? "agent's figures are" : "agents' figures are"} older: see "Figures as of")</small
                    >`
                  : ''
              }`
        }
      </dd>
    </div>
    <div>
      <dt>Agents</dt>
      <dd data-field="agents">${count(rows.length)}${breakdown ? ` (${breakdown})` : ''}</dd>
    </div>
  </dl>`;
}

function ranking(rows: RankingRow[]): Html {
  if (rows.length === 0) return html`<p>No agents yet: they appear here once the arena has started them.</p>`;
  const ids = rows.map((r) => r.entry.agent_id);
  return section(
    'ranking',
    'Ranking',
    html`<p class="note">
        Ranked by return, each agent at the market time of its newest cycle (a paused agent's figures stay where it paused). Sharpe is
        stated once the agent has ${describeRule(SHARPE_RULE)}; n/a says what is missing.
      </p>
      ${scrollTable(
        'Ranking',
        html`<table class="ranking">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Agent</th>
              ${COLUMNS.map((c) => html`<th scope="col" ${c.numeric ? html` class="num"` : ''}>${c.label}</th>`)}
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) =>
                html`<tr data-agent="${r.entry.agent_id}">
                  <td data-field="rank">${r.entry.rank}</td>
                  <th scope="row" class="agent">
                    <span class="swatch series-${seriesIndex(r.entry.agent_id, ids)}" aria-hidden="true"></span
                    ><a href="/agents/${encodeURIComponent(r.entry.agent_id)}">${r.entry.name}</a>
                    <small>${r.entry.provider} · ${r.entry.model}</small>
                  </th>
                  ${COLUMNS.map((c) => html`<td data-field="${c.field}" ${c.numeric ? html` class="num"` : ''}>${c.cell(r)}</td>`)}
                </tr>`,
            )}
          </tbody>
        </table>`,
      )}`,
  );
}
