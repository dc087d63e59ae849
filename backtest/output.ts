/**
 * What a backtest leaves behind: the JSON document (`--json`, and summary.json), trades.csv,
 * equity.csv, the resolved configs and report.html, in the run's folder.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentConfig } from '../arena-config/types';
import type { AgentResult, EquityRow, TradeRow } from './results';
import { reportHtml } from './report-html';

/** The document of `--json`: one object, every figure null where it is undefined. */
export interface BacktestDocument {
  window: { from: string; to: string };
  bars: number;
  cycles: number;
  cyclesPerSecond: number;
  /** Why the run ended before the window's last bar (the model budget), or null. */
  stopped: string | null;
  models: { calls: number; costUsd: number; storedReplies: number };
  agents: AgentResult[];
}

export interface BacktestOutputs {
  document: BacktestDocument;
  configs: AgentConfig[];
  trades: TradeRow[];
  equity: EquityRow[];
  /** Each agent's hourly equity (for the report's chart), market time in ms. */
  curves: Record<string, Array<{ time: number; equity: number }>>;
  dataDir: string;
}

export async function writeOutputs(dir: string, out: BacktestOutputs): Promise<void> {
  await mkdir(path.join(dir, 'configs'), { recursive: true });
  await Promise.all([
    writeFile(path.join(dir, 'summary.json'), `${JSON.stringify(out.document, null, 2)}\n`),
    writeFile(path.join(dir, 'trades.csv'), csv(TRADE_COLUMNS, out.trades)),
    writeFile(path.join(dir, 'equity.csv'), csv(EQUITY_COLUMNS, out.equity)),
    writeFile(path.join(dir, 'report.html'), reportHtml(out)),
    ...out.configs.map((c) => writeFile(path.join(dir, 'configs', `${c.id}.json`), `${JSON.stringify(c, null, 2)}\n`)),
  ]);
}

const TRADE_COLUMNS: (keyof TradeRow)[] = [
  'agent',
  'id',
  'symbol',
  'side',
  'quantity',
  'leverage',
  'entryPrice',
  'exitPrice',
  'openedAt',
  'closedAt',
  'openCycle',
  'fees',
  'funding',
  'pnl',
  'closeReason',
];
const EQUITY_COLUMNS: (keyof EquityRow)[] = ['agent', 'cycle', 'marketTime', 'equity', 'cash', 'marginUsed', 'unrealizedPnl', 'positions'];
/** Columns holding epoch ms, written as ISO times (UTC). */
const TIME_COLUMNS = new Set(['openedAt', 'closedAt', 'marketTime']);

/** RFC 4180: a header row, fields quoted when they hold a comma, a quote or a line break; empty for null. */
export function csv<T extends object>(columns: (keyof T & string)[], rows: readonly T[]): string {
  const field = (column: string, value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = TIME_COLUMNS.has(column) && typeof value === 'number' ? new Date(value).toISOString() : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => field(c, row[c])).join(','));
  return `${lines.join('\n')}\n`;
}
