/** What a backtest shows on a terminal: a progress bar while it runs (stderr), then the ranking table. */
import type { AgentResult } from './results';

/** A progress bar redrawn in place at most every 100 ms; silent when stderr is not a terminal. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update(done: number, total: number, label: string): void;
  end(): void;
} {
  let last = 0;
  const started = Date.now();
  return {
    update(done, total, label) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      const seconds = (now - started) / 1000;
      stream.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.floor((done / total) * 100)}% ${seconds.toFixed(0)} s `,
      );
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

/** The ranking as a fixed-width table; a dash where a figure is undefined (the report says why). */
export function rankingTable(agents: readonly AgentResult[]): string {
  const header = ['#', 'Agent', 'Return', 'PnL', 'Trades', 'Win %', 'PF', 'Sharpe', 'Max DD', 'Fees', 'Funding', 'vs random'];
  const rows = agents.map((a, i) => [
    String(i + 1),
    a.id,
    `${a.returnPct >= 0 ? '+' : ''}${a.returnPct.toFixed(2)}%`,
    a.pnl.toFixed(2),
    `${a.trades}${a.openTrades ? `+${a.openTrades}` : ''}`,
    fixed(a.winRate, 1),
    fixed(a.profitFactor, 2),
    fixed(a.sharpe, 2),
    a.maxDrawdownPct === null ? '-' : `${a.maxDrawdownPct.toFixed(2)}%`,
    a.fees.toFixed(2),
    a.funding.toFixed(2),
    a.vsRandomEntry ? `${a.vsRandomEntry.percentile.toFixed(0)}th (p ${a.vsRandomEntry.pValue.toFixed(2)})` : '-',
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const fixed = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));
