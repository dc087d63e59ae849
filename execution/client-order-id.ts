import { createHash } from 'node:crypto';

/**
 * The venue-side identity of an order: the same (agent, cycle, leg) always gives the same id, so a
 * retried or re-run activity finds its earlier order instead of placing a second one.
 * 32 hex characters fit Binance/Aster (max 36, [.A-Z:/a-z0-9_-]) and, with a 0x prefix, Hyperliquid's
 * 128-bit cloid.
 */
export function clientOrderId(agentId: string, cycleNo: number, leg: string): string {
  return createHash('sha256').update(`${agentId}|${cycleNo}|${leg}`).digest('hex').slice(0, 32);
}
