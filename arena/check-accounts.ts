import type { AgentConfig, ExchangeConfig } from '../arena-config/types';
import { VenueTemporaryError } from '../venues/errors';
import type { AccountCheck, LiveVenue } from '../venues/live-venue';

export interface AccountCheckOutcome {
  /** venue:account, as agents name it. */
  account: string;
  agents: string[];
  check?: AccountCheck;
  /** Why the account cannot trade; its agents are not started. */
  problem?: string;
}

/**
 * The startup check of every live account the agents use, once per account: reachable, signature
 * accepted, one-way position mode, balance readable. Agents on an account that fails it are held
 * back (with the reason) instead of failing cycle after cycle.
 */
export async function checkLiveAccounts(
  agents: AgentConfig[],
  openVenue: (exchange: ExchangeConfig) => LiveVenue,
  { attempts = 3, retryDelayMs = 2000 } = {},
): Promise<{ ready: AgentConfig[]; outcomes: AccountCheckOutcome[] }> {
  const byAccount = new Map<string, AgentConfig[]>();
  for (const agent of agents.filter((a) => a.exchange.type !== 'paper')) {
    const key = accountKey(agent.exchange);
    byAccount.set(key, [...(byAccount.get(key) ?? []), agent]);
  }
  const outcomes = await Promise.all(
    [...byAccount.values()].map(async (group): Promise<AccountCheckOutcome> => {
      const exchange = group[0]!.exchange;
      const outcome = { account: `${exchange.type}:${exchange.account}`, agents: group.map((a) => a.id) };
      for (let attempt = 1; ; attempt++) {
        try {
          return { ...outcome, check: await openVenue(exchange).checkAccount() };
        } catch (err) {
          // A passing failure (network, 5xx, rate limit) is tried again before the account is held back.
          if (err instanceof VenueTemporaryError && attempt < attempts) {
            await new Promise((resolve) => setTimeout(resolve, Math.min(err.retryAfterMs ?? retryDelayMs * attempt, 30_000)));
            continue;
          }
          return { ...outcome, problem: err instanceof Error ? err.message : String(err) };
        }
      }
    }),
  );
  const failed = new Set(outcomes.filter((o) => o.problem).flatMap((o) => o.agents));
  return { ready: agents.filter((a) => !failed.has(a.id)), outcomes };
}

/** One account on one venue endpoint: agents sharing it share its check. */
function accountKey(exchange: ExchangeConfig): string {
  return [exchange.type, exchange.account, exchange.testnet ? 'testnet' : 'mainnet', exchange.baseUrl ?? ''].join('|');
}
