/** Per-IP weight in a sliding minute, as the venue counts it. */
export class IpWeightLimiter {
  private readonly spent = new Map<string, Array<{ at: number; weight: number }>>();

  constructor(private readonly perMinute: number) {}

  /** Spends `weight` for `ip` when it fits; false when the request must get a 429. */
  take(ip: string, weight: number, now: number): boolean {
    const recent = (this.spent.get(ip) ?? []).filter((s) => s.at > now - 60_000);
    const used = recent.reduce((sum, s) => sum + s.weight, 0);
    if (used + weight > this.perMinute) {
      this.spent.set(ip, recent);
      return false;
    }
    recent.push({ at: now, weight });
    this.spent.set(ip, recent);
    return true;
  }
}

const LIGHT = new Set(['l2Book', 'allMids', 'clearinghouseState', 'orderStatus', 'spotClearinghouseState', 'exchangeStatus']);

/** Weight of an info request (candleSnapshot: plus one per 60 bars answered). */
export function infoWeight(type: string, itemsAnswered: number): number {
  if (LIGHT.has(type)) return 2;
  if (type === 'userRole') return 60;
  if (type === 'candleSnapshot') return 20 + Math.floor(itemsAnswered / 60);
  return 20;
}

/** Weight of an exchange action: 1 + floor(batch length / 40). */
export function exchangeWeight(action: Record<string, unknown>): number {
  const batch = [action.orders, action.cancels, action.modifies].find(Array.isArray) as unknown[] | undefined;
  return 1 + Math.floor((batch?.length ?? 1) / 40);
}
