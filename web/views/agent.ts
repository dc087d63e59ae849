/**
 * An agent's page (`/agents/:id`): status and figures, equity and drawdown (drawn in the browser),
 * open positions, the decision log (reasoning, risk verdicts, executions, model usage), closed
 * trades, a link to its workflow in the Temporal Web UI, and the control buttons (shown once the
 * token is entered). The four regions are swapped by the browser after each cycle.
 */
import { html } from 'hono/html';
import type { ApiReader } from '../api-reader';
import type {
  AgentDetail,
  Costs,
  DecisionLog,
  Execution,
  LeaderboardRow,
  ModelUsage,
  Performance,
  Position,
  Trade,
  Verdict,
} from '../api-types';
import { MISSING, count, duration, leverage, money, pct, price, quantity, ratio, signedMoney, signedPct, usd, utcTime } from '../format';
import { type Html, chartAttribution, page, scrollTable, section } from './layout';
import { type Loaded, agentStatus, figure, heldFigure, load, region, signed, statusBadge, vsRandomFigure } from './parts';

export interface AgentRecords {
  detail: AgentDetail;
  performance: Performance;
  costs: Costs;
  positions: Position[];
  /** Open trades: the positions' stop-loss and take-profit. */
  openTrades: Trade[];
  closedTrades: Trade[];
  decisions: DecisionLog[];
  /** The agent's leaderboard entry: the arena's market time, and how far behind it the agent's figures are. */
  standing: LeaderboardRow | null;
}

export type AgentData = Loaded<AgentRecords>;

/** How many decisions and closed trades the page shows (the newest). */
const DECISIONS_SHOWN = 20;
const TRADES_SHOWN = 50;

export function loadAgent(api: ApiReader, agentId: string): Promise<AgentData> {
  const base = `/api/agents/${encodeURIComponent(agentId)}`;
  return load(async () => {
    const [detail, performance, costs, positions, openTrades, closedTrades, decisions, leaderboard] = await Promise.all([
      api.get<AgentDetail>(base),
      api.get<Performance>(`${base}/performance`),
      api.get<Costs>(`${base}/costs?limit=1`),
      api.get<Position[]>(`${base}/positions`),
      api.get<Trade[]>(`${base}/trades?status=open&limit=100`),
      api.get<Trade[]>(`${base}/trades?status=closed&limit=${TRADES_SHOWN}`),
      api.get<DecisionLog[]>(`${base}/decisions?limit=${DECISIONS_SHOWN}`),
      api.get<LeaderboardRow[]>('/api/leaderboard'),
    ]);
    const standing = leaderboard.find((e) => e.agent_id === agentId) ?? null;
    return { detail, performance, costs, positions, openTrades, closedTrades, decisions, standing };
  });
}

export interface AgentPageLinks {
  /** The agent's workflow in the Temporal Web UI. */
  workflowUrl: string;
}

/** The regions, each made from the same records (or all locked when the API asked for the token). */
function regions(data: AgentData) {
  const records = data.ok ? data.data : null;
  const status = records ? agentStatus(records.detail) : null;
  return {
    overview: region('overview', data, () => overview(records!), status ? html` data-status="${status.key}"` : ''),
    positions: region('positions', data, () => positions(records!)),
    decisions: region('decisions', data, () => decisions(records!.decisions)),
    trades: region('trades', data, () => trades(records!.closedTrades)),
  };
}

/** What /fragments/agents/:id answers: the regions that change with each cycle. */
export function agentRegions(data: AgentData): Html {
  const { overview, positions, decisions, trades } = regions(data);
  return html`${overview}${positions}${decisions}${trades}`;
}

export function agentPage(agentId: string, data: AgentData, links: AgentPageLinks): Html {
  const { overview, positions, decisions, trades } = regions(data);
  const name = data.ok ? data.data.detail.name : agentId;
  const model = data.ok ? `${data.data.detail.config.provider} · ${data.data.detail.config.model}` : '';
  return page({
    title: name,
    script: 'agent-page.js',
    data: { 'agent-id': agentId },
    main: html`<div class="agent-head">
        <h1>${name} <small>${model}</small></h1>
        <a class="workflow-link" href="${links.workflowUrl}" target="_blank" rel="noopener noreferrer">Workflow in the Temporal Web UI</a>
      </div>
      ${controls()} ${overview}
      ${section(
        'equity',
        'Equity and drawdown over market time',
        html`<div
            class="chart tall"
            id="agent-chart"
            role="img"
            aria-label="Equity (top) and drawdown from the running peak (bottom) over market time"
          ></div>
          ${chartAttribution()}`,
      )}
      ${positions} ${decisions} ${trades}`,
  });
}

function controls(): Html {
  return html`<section class="panel controls" aria-labelledby="controls-title">
    <h2 id="controls-title">Control</h2>
    <p id="controls-locked">
      Pause, resume, stop and run-now need the arena's API token. <button type="button" id="controls-token">Enter the token</button>
    </p>
    <div id="control-buttons" class="button-row" hidden>
      <button type="button" data-control="pause">Pause</button>
      <button type="button" data-control="resume">Resume</button>
      <button type="button" data-control="run-cycle">Run a cycle now</button>
      <button type="button" data-control="stop" class="danger">Stop</button>
    </div>
    <p id="control-result" class="control-result" role="status"></p>
  </section>`;
}

function overview({ detail, performance: p, costs, standing }: AgentRecords): Html {
  const status = agentStatus(detail);
  const live = detail.live;
  const totals = costs.totals;
  return section(
    'overview',
    'Status and performance',
    html`<dl class="figures">
        <div>
          <dt>Status</dt>
          <dd data-field="status">${statusBadge(status)}${status.reason ? html` <small>${status.reason}</small>` : ''}</dd>
        </div>
        <div>
          <dt>Cycles</dt>
          <dd data-field="cycle_count">${count(detail.cycle_count)}</dd>
        </div>
        <div>
          <dt>Figures as of</dt>
          <dd data-field="as_of">${utcTime(p.as_of)}${behindArena(standing)}</dd>
        </div>
        <div>
          <dt>Equity</dt>
          <dd data-field="equity">${money(detail.equity)}</dd>
        </div>
        <div>
          <dt>Return</dt>
          <dd data-field="return_pct">${signed(detail.return_pct, signedPct)}</dd>
        </div>
        <div>
          <dt>PnL (equity)</dt>
          <dd data-field="equity_pnl">${signed(p.equity_pnl, signedMoney)}</dd>
        </div>
        <div>
          <dt>Realised PnL</dt>
          <dd data-field="total_pnl">${signed(p.total_pnl, signedMoney)}</dd>
        </div>
        <div>
          <dt>Max drawdown</dt>
          <dd data-field="max_drawdown_pct">${figure(p.max_drawdown_pct, pct)}</dd>
        </div>
        <div>
          <dt>Closed trades</dt>
          <dd data-field="total_trades">${count(p.total_trades)}</dd>
        </div>
        <div>
          <dt>Open trades</dt>
          <dd data-field="open_trades">${count(p.open_trades)}</dd>
        </div>
        <div>
          <dt>Win rate</dt>
          <dd data-field="win_rate">${figure(p.win_rate, pct)}</dd>
        </div>
        <div>
          <dt>Profit factor</dt>
          <dd data-field="profit_factor">${heldFigure(p.profit_factor, p.profit_factor_note, ratio)}</dd>
        </div>
        <div>
          <dt>Sharpe</dt>
          <dd data-field="sharpe_ratio">${heldFigure(p.sharpe_ratio, p.sharpe_ratio_note, ratio)}</dd>
        </div>
        <div>
          <dt>Sortino</dt>
          <dd data-field="sortino_ratio">${heldFigure(p.sortino_ratio, p.sortino_ratio_note, ratio)}</dd>
        </div>
        <div>
          <dt>Annualised return</dt>
          <dd data-field="annualized_return_pct">${heldFigure(p.annualized_return_pct, p.annualized_return_pct_note, signedPct)}</dd>
        </div>
        <div>
          <dt>Calmar</dt>
          <dd data-field="calmar_ratio">${heldFigure(p.calmar_ratio, p.calmar_ratio_note, ratio)}</dd>
        </div>
        <div>
          <dt>Fees</dt>
          <dd data-field="fees_paid">
            ${money(p.fees_paid)}${p.open_trades > 0 ? html` <small>(${money(p.open_fees_paid)} on open trades)</small>` : ''}
          </dd>
        </div>
        <div>
          <dt>Funding</dt>
          <dd data-field="funding_paid">
            ${signed(-p.funding_paid, signedMoney)}${
              p.open_funding_paid === null && p.open_trades > 0 ? html` <small>${p.open_funding_paid_note?.reason ?? ''}</small>` : ''
            }
          </dd>
        </div>
        <div>
          <dt>vs random entry</dt>
          <dd data-field="vs_random_entry">${vsRandomFigure(p.vs_random_entry, p.vs_random_entry_note)}</dd>
        </div>
        <div>
          <dt>Model calls</dt>
          <dd data-field="calls">${count(totals.calls)}${totals.failed_calls ? ` (${count(totals.failed_calls)} failed)` : ''}</dd>
        </div>
        <div>
          <dt>Model tokens</dt>
          <dd data-field="tokens">${count(totals.tokens_in)} in / ${count(totals.tokens_out)} out</dd>
        </div>
        <div>
          <dt>Model cost</dt>
          <dd data-field="cost_usd">${usd(totals.cost_usd)}</dd>
        </div>
      </dl>
      ${live?.lastCycle ? html`<p class="last-cycle">Last cycle #${live.lastCycle.cycleNo}: ${live.lastCycle.summary}</p>` : ''}`,
  );
}

/** How far the agent's figures are behind the arena's market time (a paused agent skips bars); nothing when current. */
function behindArena(standing: LeaderboardRow | null): Html | string {
  if (!standing?.behind_seconds || !standing.market_time) return '';
  return html` <small class="behind">${duration(standing.behind_seconds)} behind the arena (${utcTime(standing.market_time)})</small>`;
}

function positions({ positions: open, openTrades, performance }: AgentRecords): Html {
  if (open.length === 0) return section('positions', 'Open positions', html`<p>No open position.</p>`);
  const now = performance.as_of ? Date.parse(performance.as_of) : NaN;
  return section(
    'positions',
    'Open positions',
    scrollTable(
      'Open positions',
      html`<table class="positions">
        <thead>
          <tr>
            <th scope="col">Symbol</th>
            <th scope="col">Side</th>
            <th scope="col" class="num">Size</th>
            <th scope="col" class="num">Entry</th>
            <th scope="col" class="num">Mark</th>
            <th scope="col" class="num">PnL</th>
            <th scope="col" class="num">Leverage</th>
            <th scope="col" class="num">Liquidation</th>
            <th scope="col" class="num">Stop-loss</th>
            <th scope="col" class="num">Take-profit</th>
            <th scope="col" class="num">Margin</th>
            <th scope="col" class="num">Age</th>
          </tr>
        </thead>
        <tbody>
          ${open.map((p) => {
            const trade = openTrades.find((t) => t.symbol === p.symbol && t.side === p.side);
            return html`<tr data-symbol="${p.symbol}">
              <th scope="row">${p.symbol}</th>
              <td data-field="side"><span class="side-${p.side}">${p.side}</span></td>
              <td class="num" data-field="position_amt">${quantity(p.position_amt)}</td>
              <td class="num" data-field="entry_price">${price(p.entry_price)}</td>
              <td class="num" data-field="mark_price">${price(p.mark_price)}</td>
              <td class="num" data-field="unrealized_profit">
                ${signed(p.unrealized_profit, signedMoney)} <small>${signed(p.pnl_percentage, signedPct)}</small>
              </td>
              <td class="num" data-field="leverage">${leverage(p.leverage)}</td>
              <td class="num" data-field="liquidation_price">${p.liquidation_price > 0 ? price(p.liquidation_price) : 'none'}</td>
              <td class="num" data-field="stop_loss">${figure(protection(p, trade, 'stop_loss'), price)}</td>
              <td class="num" data-field="take_profit">${figure(protection(p, trade, 'take_profit'), price)}</td>
              <td class="num" data-field="margin">${money(p.margin)}</td>
              <td class="num" data-field="age">${p.opened_at ? duration((now - Date.parse(p.opened_at)) / 1000) : MISSING}</td>
            </tr>`;
          })}
        </tbody>
      </table>`,
    ),
  );
}

/** The position's own stop-loss or take-profit when the API gives it (snapshots since the lean cycle), else its open trade's. */
function protection(p: Position, trade: Trade | undefined, field: 'stop_loss' | 'take_profit'): number | null | undefined {
  const own = (p as Partial<Record<typeof field, number | null>>)[field];
  return own !== undefined ? own : trade?.[field];
}

function decisions(log: DecisionLog[]): Html {
  if (log.length === 0) return section('decisions', 'Decision log', html`<p>No cycle recorded yet.</p>`);
  return section(
    'decisions',
    'Decision log',
    html`<p class="note">
        The newest ${count(log.length)} cycles, newest first. Open one for the reasoning, the risk engine's verdict on each decision, and
        what was executed.
      </p>
      <ol class="decisions">
        ${log.map(
          (d, i) =>
            html`<li data-cycle="${d.cycle}">
              <details data-key="cycle-${d.cycle}" ${i === 0 ? html` open data-default-open` : ''}>
                <summary>
                  <span class="cycle">#${d.cycle}</span> <span class="when">${utcTime(d.market_time)}</span>
                  <span class="badge cycle-${d.status}">${d.status === 'ok' ? 'ok' : 'failed'}</span>
                  <span class="decision-summary">${d.summary}</span>
                </summary>
                ${decisionBody(d)}
              </details>
            </li>`,
        )}
      </ol>`,
  );
}

function decisionBody(d: DecisionLog): Html {
  const verdicts = d.risk_verdicts as Verdict[];
  const executions = d.execution_results as Execution[];
  const llm = d.llm as ModelUsage | null;
  return html`<div class="decision-body">
    ${d.error ? html`<p class="error-text"><strong>Error:</strong> ${d.error}</p>` : ''}
    <h3>Reasoning</h3>
    ${d.ai_reasoning ? html`<pre class="reasoning">${d.ai_reasoning}</pre>` : html`<p class="note">No reasoning recorded.</p>`}
    <h3>Decisions and risk verdicts</h3>
    ${
      d.decisions.length === 0
        ? html`<p class="note">No decision.</p>`
        : scrollTable(
            `Decisions of cycle ${d.cycle}`,
            html`<table>
              <thead>
                <tr>
                  <th scope="col">Action</th>
                  <th scope="col">Symbol</th>
                  <th scope="col" class="num">Size</th>
                  <th scope="col" class="num">Leverage</th>
                  <th scope="col" class="num">Stop-loss</th>
                  <th scope="col" class="num">Take-profit</th>
                  <th scope="col" class="num">Confidence</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Risk verdict</th>
                </tr>
              </thead>
              <tbody>
                ${(d.decisions as Array<NonNullable<Verdict['decision']>>).map((decision, i) => {
                  const verdict = verdicts[i];
                  return html`<tr>
                    <td>${decision.action}</td>
                    <td>${decision.symbol ?? ''}</td>
                    <td class="num">
                      ${decision.sizeUsd !== undefined ? `${money(decision.sizeUsd)} USDT` : decision.quantity !== undefined ? quantity(decision.quantity) : ''}
                    </td>
                    <td class="num">${decision.leverage !== undefined ? leverage(decision.leverage) : ''}</td>
                    <td class="num">${decision.stopLoss !== undefined ? price(decision.stopLoss) : ''}</td>
                    <td class="num">${decision.takeProfit !== undefined ? price(decision.takeProfit) : ''}</td>
                    <td class="num">${decision.confidence !== undefined ? pct(decision.confidence * 100) : ''}</td>
                    <td>${decision.reason}</td>
                    <td data-field="verdict">
                      ${verdict?.status ? html`<span class="badge verdict-${verdict.status}">${verdict.status.replaceAll('_', ' ')}</span> ${verdict.reason ?? ''}` : 'none'}
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`,
          )
    }
    <h3>Executions</h3>
    ${
      executions.length === 0
        ? html`<p class="note">Nothing sent to the venue.</p>`
        : scrollTable(
            `Executions of cycle ${d.cycle}`,
            html`<table>
              <thead>
                <tr>
                  <th scope="col">Symbol</th>
                  <th scope="col">Leg</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Quantity</th>
                  <th scope="col" class="num">Price</th>
                  <th scope="col" class="num">Fee</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                ${executions.map(
                  (e) =>
                    html`<tr>
                      <td>${e.symbol}</td>
                      <td>${e.leg?.replaceAll('_', ' ')}</td>
                      <td>${e.status}</td>
                      <td class="num">${figure(e.quantity, quantity)}</td>
                      <td class="num">${figure(e.price, price)}</td>
                      <td class="num">${figure(e.fee, money)}</td>
                      <td>${e.error ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`,
          )
    }
    <p class="model-usage">
      ${
        llm
          ? html`Model ${llm.provider} · ${llm.model}: ${count(llm.tokensIn)} tokens in, ${count(llm.tokensOut)} out, ${usd(llm.costUsd)},
            ${count(llm.latencyMs)}
            ms${llm.rejected?.length ? html`; ${count(llm.rejected.length)} decisions dropped (${llm.rejected.map((r) => r.reason).join('; ')})` : ''}.`
          : 'Rule-based: no model call.'
      }
      Took ${count(d.duration_ms)} ms.
    </p>
  </div>`;
}

function trades(closed: Trade[]): Html {
  if (closed.length === 0) return section('trades', 'Closed trades', html`<p>No closed trade yet.</p>`);
  return section(
    'trades',
    'Closed trades',
    html`<p class="note">The newest ${count(closed.length)}, newest first.</p>
      ${scrollTable(
        'Closed trades',
        html`<table class="trades">
          <thead>
            <tr>
              <th scope="col">Symbol</th>
              <th scope="col">Side</th>
              <th scope="col" class="num">Quantity</th>
              <th scope="col" class="num">Entry</th>
              <th scope="col" class="num">Exit</th>
              <th scope="col" class="num">PnL</th>
              <th scope="col" class="num">On margin</th>
              <th scope="col" class="num">Fees</th>
              <th scope="col">Opened</th>
              <th scope="col" class="num">Held</th>
              <th scope="col">Closed by</th>
            </tr>
          </thead>
          <tbody>
            ${closed.map(
              (t) =>
                html`<tr data-trade="${t.id}">
                  <th scope="row">${t.symbol}</th>
                  <td><span class="side-${t.side}">${t.side}</span></td>
                  <td class="num">${quantity(t.quantity)}</td>
                  <td class="num">${price(t.entry_price)}</td>
                  <td class="num">${figure(t.exit_price, price)}</td>
                  <td class="num">${signed(t.pnl, signedMoney)}</td>
                  <td class="num">${signed(t.return_on_margin_pct, signedPct)}</td>
                  <td class="num">${money(t.fees)}</td>
                  <td>${utcTime(t.opened_at)}</td>
                  <td class="num">${t.closed_at ? duration((Date.parse(t.closed_at) - Date.parse(t.opened_at)) / 1000) : ''}</td>
                  <td>${t.close_reason?.replaceAll('_', ' ') ?? ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>`,
      )}`,
  );
}
