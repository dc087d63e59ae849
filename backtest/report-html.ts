/**
 * report.html: one file that works offline. Every agent's equity and drawdown over market time
 * (TradingView's lightweight-charts, its standalone build inlined), the ranking with each figure's
 * sample, and the trades. The data travels as JSON in the page; nothing is fetched.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BacktestOutputs } from './output';

const CHARTS_SCRIPT = path.join(
  path.dirname(require.resolve('lightweight-charts/package.json')),
  'dist',
  'lightweight-charts.standalone.production.js',
);
const COLOURS = ['#58a6ff', '#f0883e', '#3fb950', '#d2a8ff', '#f778ba', '#e3b341', '#56d4dd', '#ff7b72'];
/** Trades listed in the page per agent (all of them are in trades.csv). */
const TRADES_SHOWN = 1000;

export function reportHtml(out: BacktestOutputs): string {
  const doc = out.document;
  const ids = doc.agents.map((a) => a.id);
  const colourOf = (id: string) => COLOURS[[...ids].sort().indexOf(id) % COLOURS.length]!;
  const data = {
    agents: doc.agents.map((a) => ({ id: a.id, name: a.name, colour: colourOf(a.id) })),
    curves: out.curves,
    trades: Object.fromEntries(ids.map((id) => [id, out.trades.filter((t) => t.agent === id).slice(-TRADES_SHOWN)])),
    tradeCounts: Object.fromEntries(ids.map((id) => [id, out.trades.filter((t) => t.agent === id).length])),
  };
  const rows = doc.agents
    .map(
      (a, i) => `<tr>
<td>${i + 1}</td><td><span class="swatch" style="background:${colourOf(a.id)}"></span>${esc(a.name)}<br><small>${esc(a.id)} · ${esc(a.model)}</small></td>
<td class="n ${cls(a.returnPct)}">${pct(a.returnPct)}</td><td class="n ${cls(a.pnl)}">${num(a.pnl, 2)}</td>
<td class="n">${a.trades}${a.openTrades ? ` <small>+${a.openTrades} open</small>` : ''}</td>
<td class="n">${gated(a.winRate, a.notes.winRate, (v) => `${v.toFixed(1)} %`)}</td>
<td class="n">${gated(a.profitFactor, a.notes.profitFactor, (v) => v.toFixed(2))}</td>
<td class="n">${gated(a.sharpe, a.notes.sharpe, (v) => v.toFixed(2))}</td>
<td class="n">${gated(a.maxDrawdownPct, a.notes.maxDrawdownPct, (v) => `${v.toFixed(2)} %`)}</td>
<td class="n">${num(a.fees, 2)}</td><td class="n ${cls(-a.funding)}">${num(a.funding, 2)}</td><td class="n">${num(a.equityEnd, 2)}</td>
<td class="n">${a.vsRandomEntry ? `${a.vsRandomEntry.percentile.toFixed(0)}th <small>p ${a.vsRandomEntry.pValue.toFixed(2)}, ${a.vsRandomEntry.runs} runs</small>` : `<span title="${esc(a.notes.vsRandomEntry ?? '')}">—</span>`}</td>
</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backtest ${esc(doc.window.from.slice(0, 16))} to ${esc(doc.window.to.slice(0, 16))}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>Backtest</h1>
<p>${esc(doc.window.from.replace('T', ' ').slice(0, 16))} to ${esc(doc.window.to.replace('T', ' ').slice(0, 16))} UTC (market time):
${doc.bars.toLocaleString('en')} bars of 3 minutes, ${doc.cycles.toLocaleString('en')} agent-cycles, data <code>${esc(out.dataDir)}</code>.
${doc.models.calls + doc.models.storedReplies > 0 ? `Models: ${doc.models.calls} calls made ($${doc.models.costUsd.toFixed(4)}), ${doc.models.storedReplies} stored replies reused.` : ''}</p>
${doc.stopped ? `<p class="warn">Stopped early: ${esc(doc.stopped)}</p>` : ''}
</header>
<main>
<section><h2>Equity</h2><div id="equity" class="chart"></div></section>
<section><h2>Drawdown from peak</h2><div id="drawdown" class="chart small"></div></section>
<section><h2>Ranking</h2>
<table id="ranking"><thead><tr><th>#</th><th>Agent</th><th>Return</th><th>PnL (USDT)</th><th>Closed trades</th><th>Win rate</th><th>Profit factor</th>
<th>Sharpe</th><th>Max drawdown</th><th>Fees</th><th>Funding paid</th><th>Equity end</th><th>vs random entry</th></tr></thead>
<tbody>${rows}</tbody></table>
<p class="note">Figures follow the arena's rules: a ratio needs enough sample behind it and is "—" otherwise (hover for the reason and the sample).
Sharpe from hourly equity returns, annualised. Fees and funding include open trades; funding paid is negative where the trades received it. "vs random entry": the share of seeded random-entry
runs over the same bars, symbols and risk limits that this agent beat, and p, the share that did at least as well.</p>
</section>
<section><h2>Trades</h2><label>Agent <select id="agent"></select></label> <span id="trade-count"></span>
<div class="scroll"><table id="trades"><thead><tr><th>#</th><th>Symbol</th><th>Side</th><th>Qty</th><th>Lev.</th><th>Entry</th><th>Exit</th>
<th>Opened</th><th>Closed</th><th>Fees</th><th>Funding</th><th>PnL</th><th>Reason</th></tr></thead><tbody></tbody></table></div>
</section>
</main>
<footer>Charts: TradingView Lightweight Charts (Apache 2.0). Times are market time, UTC.</footer>
<script>${readFileSync(CHARTS_SCRIPT, 'utf8')}</script>
<script>const REPORT = ${scriptJson(data)};
${CLIENT}</script>
</body></html>
`;
}

function gated(value: number | null, note: string | undefined, format: (v: number) => string): string {
  return value === null ? `<span title="${esc(note ?? 'undefined')}">—</span>` : format(value);
}
const num = (v: number, digits: number) => v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} %`;
const cls = (v: number) => (v > 0 ? 'up' : v < 0 ? 'down' : '');

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot close the script element it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const STYLE = `
:root { color-scheme: dark; --bg: #0d1117; --panel: #161b22; --grid: #30363d; --text: #e6edf3; --muted: #8b949e; --up: #3fb950; --down: #f85149;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
body { margin: 0; background: var(--bg); color: var(--text); }
header, main, footer { max-width: 1280px; margin: 0 auto; padding: 0 20px; }
header p { color: var(--muted); }
h1 { margin: 20px 0 4px; } h2 { font-size: 1.1em; margin: 24px 0 8px; }
section { background: var(--panel); border: 1px solid var(--grid); border-radius: 8px; padding: 4px 16px 16px; margin: 16px 0; }
.chart { height: 380px; } .chart.small { height: 220px; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--grid); text-align: left; vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
small { color: var(--muted); } .up { color: var(--up); } .down { color: var(--down); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
.note { color: var(--muted); font-size: 0.85em; } .warn { color: #e3b341; }
.scroll { max-height: 520px; overflow: auto; } select { background: var(--bg); color: var(--text); border: 1px solid var(--grid); }
footer { color: var(--muted); font-size: 0.8em; padding-bottom: 24px; }
`;

const CLIENT = `
(function () {
  const LC = window.LightweightCharts;
  const options = (el) => ({
    width: el.clientWidth, height: el.clientHeight,
    layout: { background: { type: 'solid', color: '#161b22' }, textColor: '#8b949e' },
    grid: { vertLines: { color: '#30363d' }, horzLines: { color: '#30363d' } },
    timeScale: { timeVisible: true, secondsVisible: false, borderColor: '#30363d' }, rightPriceScale: { borderColor: '#30363d' },
    localization: { locale: 'en-US' },
  });
  function chart(id, pointsOf, format) {
    const el = document.getElementById(id);
    const c = LC.createChart(el, options(el));
    for (const a of REPORT.agents) {
      const s = c.addSeries(LC.LineSeries, { color: a.colour, lineWidth: 2, title: a.name, priceFormat: { type: 'custom', formatter: format } });
      s.setData(pointsOf(REPORT.curves[a.id] || []));
    }
    c.timeScale().fitContent();
    new ResizeObserver(() => c.applyOptions({ width: el.clientWidth })).observe(el);
  }
  const seconds = (ms) => Math.floor(ms / 1000);
  chart('equity', (points) => points.map((p) => ({ time: seconds(p.time), value: p.equity })),
    (v) => v.toLocaleString('en', { maximumFractionDigits: 0 }));
  chart('drawdown', (points) => {
    let peak = -Infinity;
    return points.map((p) => { peak = Math.max(peak, p.equity); return { time: seconds(p.time), value: peak > 0 ? (p.equity / peak - 1) * 100 : 0 }; });
  }, (v) => v.toFixed(1) + ' %');

  const select = document.getElementById('agent');
  for (const a of REPORT.agents) select.add(new Option(a.name, a.id));
  const body = document.querySelector('#trades tbody');
  const iso = (ms) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
  function showTrades() {
    const id = select.value;
    const trades = REPORT.trades[id] || [];
    const total = REPORT.tradeCounts[id] || 0;
    document.getElementById('trade-count').textContent = total > trades.length
      ? 'the last ' + trades.length + ' of ' + total + ' (all in trades.csv)' : total + ' trades';
    body.replaceChildren(...trades.slice().reverse().map((t) => {
      const tr = document.createElement('tr');
      const pnl = t.pnl === null ? null : Number(t.pnl);
      const cells = [t.id, t.symbol, t.side, t.quantity, t.leverage + 'x', t.entryPrice, t.exitPrice || 'open', iso(t.openedAt), iso(t.closedAt),
        Number(t.fees).toFixed(2), t.funding === null ? '' : Number(t.funding).toFixed(2), pnl === null ? '' : pnl.toFixed(2), t.closeReason || ''];
      cells.forEach((v, i) => {
        const td = document.createElement('td');
        td.textContent = String(v);
        if (i === 11 && pnl !== null) td.className = pnl > 0 ? 'up' : pnl < 0 ? 'down' : '';
        tr.appendChild(td);
      });
      return tr;
    }));
  }
  select.addEventListener('change', showTrades);
  showTrades();
})();
`;
