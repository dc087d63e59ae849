import { Context } from '@temporalio/activity';
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
    async askDecisionMaker(input: DecideInput): Promise<DecideResult> {
      const { snapshot } = await deps.snapshots.at(input.symbols, input.marketTime);
      const context = Context.current();
      return decide(
        input.decisionMaker,
        {
          agentId: input.agentId,
          cycleNo: input.cycleNo,
          marketTime: input.marketTime,
          account: input.seen.account,
          positions: input.seen.positions,
          market: snapshot,
          risk: input.risk,
          tradingStyle: input.tradingStyle,
          takerFeeRate: input.takerFeeRate,
        },
        {
          ledger: agentLedger(deps, input.agentId),
          models: arenaModels(deps, input, context.info.attempt),
          signal: context.cancellationSignal,
        },
      );
    },
  };
}

/**
 * The provider's real SDK behind the agent's own key; each attempt goes to llm_calls, and each reply
 * to model_replies under the hash of what was asked, where a backtest of the same question finds it.
 */
function arenaModels(deps: ActivityDeps, input: DecideInput, attempt: number): ModelGateway {
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
        provider: input.decisionMaker.provider,
        model: input.decisionMaker.model,
        ...call,
      });
      countModelCall(input.decisionMaker.provider, input.decisionMaker.model, call);
    },
  };
}
