import type { ExecutionResult } from '../execution/execute-orders';
import type { RiskVerdict } from '../risk/types';

/** "open long BTCUSDT 0.012 @3x · close ETHUSDT · 2 rejected": what the Web UI, the API and the next prompt show. */
export function describeCycle(verdicts: RiskVerdict[], executions: ExecutionResult[]): string {
  const parts: string[] = [];
  for (const v of verdicts) {
    if (!v.order) continue;
    const leg = executions.find((e) => e.symbol === v.order!.symbol && e.leg === v.order!.kind);
    const done = leg?.status === 'filled' ? '' : ` (${leg?.status ?? 'not sent'})`;
    parts.push(
      v.order.kind === 'open'
        ? `open ${v.order.side} ${v.order.symbol} ${v.order.quantity} @${v.order.leverage}x${done}`
        : `close ${v.order.symbol}${done}`,
    );
  }
  const rejected = verdicts.filter((v) => v.status === 'rejected').length;
  if (rejected) parts.push(`${rejected} rejected`);
  const emergencies = executions.filter((e) => e.leg === 'emergency_close').length;
  if (emergencies) parts.push(`${emergencies} emergency close`);
  return parts.length ? parts.join(' · ') : verdicts.some((v) => v.decision.action === 'hold') ? 'hold' : 'wait';
}
