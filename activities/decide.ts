import { Context } from '@temporalio/activity';
import type { DecisionMakerConfig, RiskLimits, TradingStyle } from '../arena-config/types';
import { decide, type ModelGateway } from '../cycle/decide';
import type { DecideResult } from '../cycle/types';
import { saveLlmCall } from '../db/llm-calls';
import { saveModelReply } from '../db/model-replies';
import { askModel } from '../decisions/llm/ask-model';
import { modelReplyKey, promptSha256 } from '../model-replies/key';
import { countModelCall } from '../observability/llm-metrics';
import type { DecideInput } from '../workflows/definitions';
import type { ActivityDeps } from './deps';
import { agentLedger } from './books';

export function createDecideActivities(deps: ActivityDeps) {
  return {
    /**
     * Asks the agent's decision maker. For a model: the prompt from the bar's snapshot and the agent's
     * record, one call (cancelled with the activity), the reply parsed so that only valid decisions go
     * on, and every attempt recorded whatever happened. Only the key's variable name is in the input.
     */
    async askDecisionMaker(input: DecideInput | DecideInputWithSettings): Promise<DecideResult> {
      const settings = await decideSettings(deps, input);
      const { snapshot } = await deps.snapshots.at(settings.symbols, input.marketTime);
      const context = Context.current();
      return decide(
        settings.decisionMaker,
        {
          agentId: input.agentId,
          cycleNo: input.cycleNo,
          marketTime: input.marketTime,
          account: input.seen.account,
          positions: input.seen.positions,
          market: snapshot,
          risk: settings.risk,
          tradingStyle: settings.tradingStyle,
          takerFeeRate: settings.takerFeeRate,
        },
        {
          ledger: agentLedger(deps, input.agentId),
          models: arenaModels(deps, input, settings.decisionMaker, context.info.attempt),
          signal: context.cancellationSignal,
        },
      );
    },
  };
}

/** The decide input of cycles that began before configs were stored: every setting inline. */
export interface DecideInputWithSettings extends Omit<DecideInput, 'agentConfig'> {
  decisionMaker: DecisionMakerConfig;
  takerFeeRate: number;
  symbols: string[];
  risk: RiskLimits;
  tradingStyle: TradingStyle;
}

/** What the decide step reads of the agent's config; a call scheduled by older workflow code carries it. */
async function decideSettings(
  deps: ActivityDeps,
  input: DecideInput | DecideInputWithSettings,
): Promise<Omit<DecideInputWithSettings, keyof DecideInput>> {
  if (!('agentConfig' in input)) return input;
  const { decisionMaker, strategy, exchange } = await deps.configs.of(input.agentId, input.agentConfig);
  return {
    decisionMaker,
    symbols: strategy.symbols,
    risk: strategy.risk,
    tradingStyle: strategy.tradingStyle,
    takerFeeRate: exchange.takerFeeRate,
  };
}

/**
 * The provider's real SDK behind the agent's own key; each attempt goes to llm_calls, and each reply
 * to model_replies under the hash of what was asked, where a backtest of the same question finds it.
 */
function arenaModels(
  deps: ActivityDeps,
  input: Pick<DecideInput, 'agentId' | 'cycleNo'>,
  asked: DecisionMakerConfig,
  attempt: number,
): ModelGateway {
  return {
    async call(dm, prompt, signal) {
      const reply = await askModel(dm, prompt, signal);
      // The reply is already paid for and recorded in llm_calls: a failed copy costs a backtest a call, not the cycle.
      await saveModelReply(deps.db, {
        key: modelReplyKey(dm, prompt),
        provider: dm.provider,
        model: dm.model,
        promptSha256: promptSha256(prompt),
        reply,
      }).catch((err: unknown) => deps.log.warn({ err, agent: input.agentId }, 'model reply not stored for backtests'));
      return reply;
    },
    async record(call) {
      await saveLlmCall(deps.db, {
        agentId: input.agentId,
        cycleNo: input.cycleNo,
        attempt,
        provider: asked.provider,
        model: asked.model,
        ...call,
      });
      countModelCall(asked.provider, asked.model, call);
    },
  };
}
