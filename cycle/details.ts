import type { AccountView, Decision } from '../decisions/types';
import type { ExecutionResult } from '../execution/execute-orders';
import type { RiskVerdict } from '../risk/types';

/** What a cycle's page in the Temporal Web UI says (markdown): asked, decided, refused and why, done, equity after. */
export interface CycleStory {
  cycleNo: number;
  marketTime: number;
  decisionMaker: string;
  before: { account: AccountView; positions: number };
  after: { account: AccountView; positions: number };
  verdicts: RiskVerdict[];
  executions: ExecutionResult[];
  /** Why the model gave nothing (the cycle waited), if it failed. */
  modelError: string | null;
  safeMode: boolean;
}

const MAX_ITEMS = 12;

export function cycleDetails(s: CycleStory): string {
  const lines = [
    `**Cycle ${s.cycleNo}** · bar ${iso(s.marketTime)}${s.safeMode ? ' · **SAFE MODE** (no new positions)' : ''}`,
    `**Asked** ${s.decisionMaker} · equity ${usdt(s.before.account.equity)} USDT · ${count(s.before.positions, 'position')}`,
  ];
  if (s.modelError) lines.push(`**Model failed**: ${clip(s.modelError)}; the cycle waited`);
  const decided = s.verdicts.map((v) => v.decision);
  lines.push(`**Decided**: ${decided.length ? list(decided.map(decision)) : 'nothing'}`);
  const refused = s.verdicts.filter((v) => v.status === 'rejected');
  if (refused.length) lines.push(`**Refused**: ${list(refused.map((v) => `${decision(v.decision)}: ${clip(v.reason)}`))}`);
  const resized = s.verdicts.filter((v) => v.status === 'resized');
  if (resized.length) lines.push(`**Resized**: ${list(resized.map((v) => `${v.decision.symbol ?? ''}: ${clip(v.reason)}`))}`);
  lines.push(`**Executed**: ${s.executions.length ? list(s.executions.map(execution)) : 'no order'}`);
  lines.push(`**Equity after** ${usdt(s.after.account.equity)} USDT · ${count(s.after.positions, 'position')}`);
  return lines.join('\n\n');
}

function decision(d: Decision): string {
  const size = d.sizeUsd !== undefined ? ` ${usdt(d.sizeUsd)} USDT` : d.quantity !== undefined ? ` ${d.quantity}` : '';
  const leverage = d.leverage !== undefined ? ` @${d.leverage}x` : '';
  return `${d.action.replace('_', ' ')}${d.symbol ? ` ${d.symbol}` : ''}${size}${leverage}`;
}

function execution(e: ExecutionResult): string {
  const fill = e.status === 'filled' && e.quantity !== undefined ? ` ${e.quantity} @ ${e.price ?? '?'}` : '';
  return `${e.leg.replace('_', ' ')} ${e.symbol}${fill} (${e.status}${e.error ? `: ${clip(e.error)}` : ''})`;
}

function list(items: string[]): string {
  const shown = items.slice(0, MAX_ITEMS).join('; ');
  return items.length > MAX_ITEMS ? `${shown}; and ${items.length - MAX_ITEMS} more` : shown;
}

// The Web UI's markdown reads two dollar signs as a formula: text from elsewhere keeps none.
const clip = (text: string) => {
  const plain = text.replaceAll('$', 'USD ');
  return plain.length > 200 ? `${plain.slice(0, 197)}...` : plain;
};
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
const usdt = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
