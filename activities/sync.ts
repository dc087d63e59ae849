import { syncAccount } from '../cycle/sync-account';
import type { SyncInput, SyncResult } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { agentLedger, venueOf } from './books';

export function createSyncActivities(deps: ActivityDeps) {
  return {
    /**
     * The cycle's first step: the bar it trades at (the arena's market clock), then the account as the
     * venue has it, the trades the venue closed booked, and what the order phase must mend.
     */
    async readAccount({ ref, cycleNo, agentConfig }: SyncInput): Promise<SyncResult> {
      const { strategy } = await deps.configs.of(ref.agentId, agentConfig);
      const { marketTime, nextBarAt, barWallMs, held } = await deps.clock.read();
      const synced = await syncAccount(venueOf(deps, ref, marketTime), agentLedger(deps, ref.agentId), {
        cycleNo,
        symbols: strategy.symbols,
        risk: strategy.risk,
      });
      return { marketTime, nextBarAt, barWallMs, clockHeld: held, ...synced };
    },
  };
}
