import assert from 'node:assert/strict';
import type { DecisionMakerConfig } from '../../arena-config/types';
import { decide, type ModelGateway } from '../../cycle/decide';
import type { PromptMessages } from '../../decisions/llm/types';
import type { DecisionInput, PerformanceFeedback } from '../../decisions/types';
import type { AgentLedger, RiskHistory } from '../../ledger/agent-ledger';
import type { SymbolSnapshot } from '../../market/snapshot';
import { SEED_RISK_LIMITS } from '../fixtures/risk-limits';

const NOW = Date.UTC(2023, 6, 30, 21, 15);
const MIN = 60_000;
const MODEL: DecisionMakerConfig = { provider: 'openai', model: 'm', temperature: 0, maxTokens: 500 };

const ind = {
  rsi7: null,
  rsi14: null,
  macd: null,
  macdSignal: null,
  macdHist: null,
  ema20: null,
  ema50: null,
  atr14: null,
  bbUpper: null,
  bbMiddle: null,
  bbLower: null,
};
const BTC: SymbolSnapshot = {
  symbol: 'BTCUSDT',
  price: 30_000,
  change1hPct: null,
  change4hPct: null,
  fundingRate: 0.0001,
  fundingIntervalHours: 8,
  openInterest: null,
  volume3m: 10,
  tf3m: { ...ind, closes: [30_000] },
  tf4h: { ...ind, trend: 'flat' },
};

const INPUT: DecisionInput = {
  agentId: 'llm',
  cycleNo: 42,
  marketTime: NOW,
  market: [BTC],
  risk: { ...SEED_RISK_LIMITS },
  tradingStyle: 'balanced',
  takerFeeRate: 0.0004,
  account: { equity: 9_850, available: 9_850, marginUsed: 0, unrealizedPnl: 0 },
  positions: [],
};

const FEEDBACK: PerformanceFeedback = {
  tradeCount: 0,
  winRate: null,
  totalPnl: 0,
  recentTrades: [],
  bestSymbol: null,
  worstSymbol: null,
  recentDecisions: [
    {
      cycle: 41,
      summary: '1 rejected',
      rejections: [
        'open_long BTCUSDT: BTCUSDT was stopped out 10 min ago: no new position there for 15 min after a stop-loss (stop_loss_cooldown_minutes)',
      ],
    },
  ],
};

const HISTORY: RiskHistory = {
  dayStartEquity: 10_000,
  dayLowEquity: 9_800,
  peakEquity: 10_100,
  lastStopLossAt: { BTCUSDT: NOW - 10 * MIN },
  opensLastHour: 2,
};

/** Only what the decide step reads of the books; anything else is a mistake. */
function ledger(asked: Array<[number, number]>): AgentLedger {
  const reads: Partial<AgentLedger> = {
    agentId: 'llm',
    feedback: async () => FEEDBACK,
    riskHistory: async (now, equity) => {
      asked.push([now, equity]);
      return HISTORY;
    },
  };
  return new Proxy(reads as AgentLedger, {
    get: (target, key) => {
      if (!(key in target)) throw new Error(`the decide step read ledger.${String(key)}`);
      return target[key as keyof AgentLedger];
    },
  });
}

function gateway(prompts: PromptMessages[]): ModelGateway {
  return {
    async call(_dm, prompt) {
      prompts.push(prompt);
      const text = '{"reasoning": "cooling down", "decisions": [{"action": "wait", "reason": "cooldown"}]}';
      return { raw: text, text, truncated: false, tokensIn: 100, tokensOut: 20, latencyMs: 5 };
    },
    async record() {},
  };
}

describe('the decide step gives the model its standing against its limits and its fee rate', () => {
  it("reads the history at the cycle's market time and equity, and the prompt shows the figures", async () => {
    const asked: Array<[number, number]> = [];
    const prompts: PromptMessages[] = [];
    const result = await decide(MODEL, INPUT, { ledger: ledger(asked), models: gateway(prompts) });
    assert.deepEqual(
      result.decisions.map((d) => d.action),
      ['wait'],
    );
    assert.deepEqual(asked, [[NOW, 9_850]]);
    const [{ system, user }] = prompts as [PromptMessages];
    assert.ok(system.includes('Fees: 0.04% of the position value on each open and each close.'));
    // day -150 of 10000 (low 9800: -2 %), drawdown 250 / 10100 = 2.48 %, BTCUSDT's stop 10 min ago of 15,
    // free margin min(9850, 80 % of 9850 = 7880, 90 % = 8865), one open min(7880, 30 % = 2955, 50 % of 9850 = 4925).
    assert.ok(
      user.includes(
        'Limits now: day pnl -150 (-1.5%, low -2%; limit -15%), drawdown 2.5% (lock 30%), positions 0/3, ' +
          'opens this hour 2/10, stop-loss cooldown BTCUSDT 5m, free margin 7880 (one open <= 2955)\n',
      ),
      user,
    );
    assert.ok(
      user.endsWith(
        '41 1 rejected\n refused open_long BTCUSDT: BTCUSDT was stopped out 10 min ago: no new position there ' +
          'for 15 min after a stop-loss (stop_loss_cooldown_minutes)',
      ),
    );
  });

  it('reads nothing of the books for a rule-based baseline', async () => {
    const none = new Proxy({} as AgentLedger, {
      get: (_target, key) => {
        throw new Error(`read ledger.${String(key)}`);
      },
    });
    const result = await decide({ ...MODEL, provider: 'rule_based', model: 'buy_and_hold' }, INPUT, { ledger: none });
    assert.equal(result.llm, null);
  });
});
