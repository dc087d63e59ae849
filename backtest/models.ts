/**
 * How a backtest's LLM agents reach their models: a stored reply to the same question first (the
 * arena's or an earlier backtest's, model-replies/key.ts), the provider only when there is none, and
 * never past the run's budget. A re-run of a backtest makes no model call.
 */
import type { DecisionMakerConfig } from '../arena-config/types';
import type { ModelGateway } from '../cycle/decide';
import { askModel } from '../decisions/llm/ask-model';
import { callCost } from '../decisions/llm/cost';
import type { PromptMessages } from '../decisions/llm/types';
import { modelReplyKey, promptSha256, type ModelReplyStore } from '../model-replies/key';

/** The model budget of the run would be exceeded by the next call: the backtest stops, saying so. */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
}

export interface ModelSpend {
  /** Calls made to providers in this run, and what they cost. */
  calls: number;
  costUsd: number;
  /** Replies found stored, and what they cost when they were first asked (at today's configured prices). */
  storedReplies: number;
  storedCostUsd: number;
}

export class BacktestModels {
  readonly spend: ModelSpend = { calls: 0, costUsd: 0, storedReplies: 0, storedCostUsd: 0 };

  constructor(
    private readonly store: ModelReplyStore,
    /** `env`: where the agents' key variables are read (default: the process's). */
    private readonly options: { maxCostUsd?: number; env?: NodeJS.ProcessEnv } = {},
  ) {}

  readonly gateway: ModelGateway = {
    call: async (dm, prompt, signal) => {
      const key = modelReplyKey(dm, prompt);
      const stored = await this.store.get(key);
      if (stored) {
        this.spend.storedReplies += 1;
        this.spend.storedCostUsd += callCost(dm, stored.reply.tokensIn, stored.reply.tokensOut);
        return stored.reply;
      }
      this.checkBudget(dm, prompt);
      this.spend.calls += 1;
      const reply = await askModel(dm, prompt, signal, this.options.env);
      this.spend.costUsd += callCost(dm, reply.tokensIn, reply.tokensOut);
      await this.store.put({ key, provider: dm.provider, model: dm.model, promptSha256: promptSha256(prompt), reply });
      return reply;
    },
    // The backtest's own books keep each decision's usage; there is no llm_calls table to fill.
    record: async () => {},
  };

  /**
   * A call is made only when it cannot take the spend past the budget even at its worst: every prompt
   * character counted as half a token (tokenisers give 2.5 to 4 characters per token) and the reply at
   * the decision maker's max_tokens.
   */
  private checkBudget(dm: DecisionMakerConfig, prompt: PromptMessages): void {
    const budget = this.options.maxCostUsd;
    if (budget === undefined) return;
    const worst = callCost(dm, Math.ceil((prompt.system.length + prompt.user.length) / 2), dm.maxTokens);
    if (this.spend.costUsd + worst > budget) {
      throw new BudgetExceeded(
        `--max-cost-usd ${budget}: the next call to ${dm.provider}/${dm.model} could cost up to $${worst.toFixed(4)} ` +
          `and $${this.spend.costUsd.toFixed(4)} is spent (${this.spend.calls} calls); stopped before it`,
      );
    }
  }
}
