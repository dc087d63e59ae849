import { Context } from '@temporalio/activity';
import { decide, type ModelGateway } from '../cycle/decide';
import type { DecideResult } from '../cycle/types';
import { saveLlmCall } from '../db/llm-calls';
import { readApiKey } from '../decisions/llm/api-key';
import { callModel } from '../decisions/llm/call-model';
import { countModelCall } from '../observability/llm-metrics';
import { processSecrets } from '../secrets/known-secrets';
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
      return decide(input.decisionMaker, {
        agentId: input.agentId, cycleNo: input.cycleNo, marketTime: input.marketTime, account: input.seen.account,
        positions: input.seen.positions, market: snapshot, risk: input.risk, tradingStyle: input.tradingStyle,
        takerFeeRate: input.takerFeeRate,
      }, { ledger: agentLedger(deps, input.agentId), models: arenaModels(deps, input, context.info.attempt), signal: context.cancellationSignal });
    },
  };
}

/** The provider's real SDK behind the agent's own key; each attempt goes to llm_calls. */
function arenaModels(deps: ActivityDeps, input: DecideInput, attempt: number): ModelGateway {
  return {
    async call(dm, prompt, signal) {
      const apiKey = readApiKey(dm);
      const reply = await callModel(dm, prompt, { apiKey, signal });
      // A reply is untrusted: a key it echoes (in any encoding) is gone before it is parsed, stored or returned.
      const redactor = processSecrets().with([apiKey]);
      return {
        ...reply, raw: redactor.redact(reply.raw), text: redactor.redact(reply.text),
        ...(reply.structuredOutput !== undefined && { structuredOutput: redactor.redactDeep(reply.structuredOutput) }),
      };
    },
    async record(call) {
      await saveLlmCall(deps.db, {
        agentId: input.agentId, cycleNo: input.cycleNo, attempt, provider: input.decisionMaker.provider, model: input.decisionMaker.model,
        ...call,
      });
      countModelCall(input.decisionMaker.provider, input.decisionMaker.model, call);
    },
  };
}
