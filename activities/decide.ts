import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DecisionMakerConfig } from '../arena-config/types';
import { baselineDecisionMaker } from '../decisions/baselines';
import { readApiKey } from '../decisions/llm/api-key';
import { callModel } from '../decisions/llm/call-model';
import { callCost } from '../decisions/llm/cost';
import { parseReply } from '../decisions/llm/parse-reply';
import { LlmCallError, type PromptMessages } from '../decisions/llm/types';
import { buildPrompt } from '../decisions/prompt/build-prompt';
import type { DecisionInput, DecisionOutput } from '../decisions/types';
import { performanceFeedback } from '../ledger/feedback';
import { processSecrets } from '../secrets/known-secrets';
import type { ActivityDeps } from './deps';

export interface DecideInput extends DecisionInput {
  decisionMaker: DecisionMakerConfig;
}

/** The model's part of a cycle, for the decision log and the cost accounting. */
export interface LlmUsage {
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  /** False when the reply held nothing parseable (the decision became `wait`). */
  parsed: boolean;
  rejected: Array<{ item: unknown; reason: string }>;
}

export interface DecideResult extends DecisionOutput {
  llm: LlmUsage | null;
}

/** Temporal error types of failed model calls: the first two are permanent. */
const FAILURE_TYPE: Record<LlmCallError['kind'], string> = {
  auth: 'LlmAuthError', bad_request: 'LlmBadRequest', rate_limited: 'LlmRateLimited', timeout: 'LlmTimeout',
  server: 'LlmUnavailable', network: 'LlmUnavailable', cancelled: 'LlmCancelled',
};

export function createDecideActivities(deps: ActivityDeps) {
  return {
    /**
     * Asks the agent's decision maker. For a model: the prompt from the cycle's snapshot and the agent's
     * record, one call (cancelled with the activity), the reply parsed so that only valid decisions go
     * on, and the call recorded whatever happened. Only the key's variable name is in the input: the
     * value is read here and goes nowhere else.
     */
    async decide(input: DecideInput): Promise<DecideResult> {
      const { decisionMaker, ...decisionInput } = input;
      if (decisionMaker.provider === 'rule_based') {
        return { ...(await baselineDecisionMaker(decisionMaker.model).decide(decisionInput)), llm: null };
      }
      const feedback = await performanceFeedback(deps.db, input.agentId);
      const prompt = buildPrompt({ ...decisionInput, feedback }, { promptSections: decisionMaker.promptSections });
      const context = Context.current();
      const record = callRecorder(deps, input, decisionMaker, prompt, context.info.attempt);
      let reply;
      let apiKey: string | undefined;
      try {
        apiKey = readApiKey(decisionMaker);
        reply = await callModel(decisionMaker, prompt, { apiKey, signal: context.cancellationSignal });
      } catch (err) {
        const failure = err instanceof LlmCallError ? err : new LlmCallError('network', err instanceof Error ? err.message : String(err));
        await record({ status: 'error', error: `${failure.kind}: ${failure.message}` });
        const type = FAILURE_TYPE[failure.kind];
        if (failure.kind === 'auth' || failure.kind === 'bad_request') throw ApplicationFailure.nonRetryable(failure.message, type);
        throw ApplicationFailure.create({
          message: failure.message, type,
          ...(failure.retryAfterMs !== undefined && { nextRetryDelay: failure.retryAfterMs }),
        });
      }
      // A reply is untrusted: a key it echoes (in any encoding) is gone before it is parsed, stored or returned.
      const raw = processSecrets().with([apiKey]).redact(reply.raw);
      const parsed = parseReply(raw, input.market.map((m) => m.symbol));
      const costUsd = callCost(decisionMaker, reply.tokensIn, reply.tokensOut);
      await record({
        status: parsed.parsed ? 'ok' : 'unparseable', rawReply: raw, decisions: parsed.decisions,
        rejected: parsed.rejected, tokensIn: reply.tokensIn, tokensOut: reply.tokensOut, costUsd, latencyMs: reply.latencyMs,
      });
      return {
        reasoning: parsed.reasoning,
        decisions: parsed.decisions,
        llm: {
          provider: decisionMaker.provider, model: decisionMaker.model, tokensIn: reply.tokensIn, tokensOut: reply.tokensOut,
          costUsd, latencyMs: reply.latencyMs, parsed: parsed.parsed, rejected: parsed.rejected.slice(0, 20),
        },
      };
    },
  };
}

interface CallOutcome {
  status: 'ok' | 'unparseable' | 'error';
  rawReply?: string;
  decisions?: unknown[];
  rejected?: unknown[];
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  latencyMs?: number;
  error?: string;
}

/** Writes one row per call attempt; a re-run of the same attempt rewrites it. */
function callRecorder(deps: ActivityDeps, input: DecideInput, dm: DecisionMakerConfig, prompt: PromptMessages, attempt: number) {
  const text = `${prompt.system}\n\n${prompt.user}`;
  return async (o: CallOutcome): Promise<void> => {
    const values = {
      provider: dm.provider, model: dm.model, status: o.status,
      prompt_sha256: createHash('sha256').update(text).digest('hex'), prompt_chars: text.length, prompt: text,
      raw_reply: o.rawReply?.slice(0, 200_000) ?? null,
      decisions: JSON.stringify(o.decisions ?? []), rejected: JSON.stringify(o.rejected ?? []),
      tokens_in: o.tokensIn ?? 0, tokens_out: o.tokensOut ?? 0, cost_usd: o.costUsd ?? 0, latency_ms: Math.round(o.latencyMs ?? 0),
      error: o.error?.slice(0, 4000) ?? null,
    };
    await deps.db.insertInto('llm_calls').values({ agent_id: input.agentId, cycle_no: input.cycleNo, attempt, ...values })
      .onConflict((oc) => oc.columns(['agent_id', 'cycle_no', 'attempt']).doUpdateSet(values)).execute();
  };
}
