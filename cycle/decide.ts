import { createHash } from 'node:crypto';
import type { DecisionMakerConfig } from '../arena-config/types';
import { baselineDecisionMaker } from '../decisions/baselines';
import { callCost } from '../decisions/llm/cost';
import { parseReply } from '../decisions/llm/parse-reply';
import { LlmCallError, type LlmReply, type PromptMessages } from '../decisions/llm/types';
import { buildPrompt } from '../decisions/prompt/build-prompt';
import { limitsState } from '../decisions/prompt/limits-state';
import type { DecisionInput } from '../decisions/types';
import type { AgentLedger } from '../ledger/agent-ledger';
import type { DecideResult } from './types';

/** One model call attempt as it is recorded, whatever came of it. */
export interface ModelCallRecord {
  status: 'ok' | 'unparseable' | 'error';
  prompt: string;
  promptSha256: string;
  rawReply: string | null;
  decisions: unknown[];
  rejected: unknown[];
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  error: string | null;
}

/**
 * How a cycle reaches a model: the arena calls the provider (its key read and every echo of it
 * redacted there) and records each attempt in llm_calls; a backtest answers from recorded replies.
 */
export interface ModelGateway {
  /** The reply, its text already free of secrets; an LlmCallError when the call failed. */
  call(dm: DecisionMakerConfig, prompt: PromptMessages, signal?: AbortSignal): Promise<LlmReply>;
  record(call: ModelCallRecord): Promise<void>;
}

/**
 * What a model's prompt is built from: the cycle's input, the agent's record and how close it stands to
 * its limits, from its history at the cycle's market time and equity (what the risk engine will use).
 */
export async function promptInput(input: DecisionInput, ledger: AgentLedger): Promise<DecisionInput> {
  const [feedback, history] = await Promise.all([ledger.feedback(), ledger.riskHistory(input.marketTime, input.account.equity)]);
  const { marketTime: now, account, positions, risk } = input;
  return { ...input, feedback, limitsState: limitsState({ now, account, positions, risk, history }) };
}

/** How many dropped decisions travel with the result (all of them are in the call's record). */
const REJECTED_IN_RESULT = 20;

/**
 * The cycle's decision: a rule-based baseline decides from the snapshot alone; a model gets the prompt
 * (snapshot, account, limits and how close the agent is to them, its fee rate and its own record), and its
 * reply is parsed so that only valid decisions go on. A failed call is recorded and thrown (the workflow
 * turns it into `wait`).
 */
export async function decide(
  dm: DecisionMakerConfig,
  input: DecisionInput,
  ports: { ledger: AgentLedger; models?: ModelGateway; signal?: AbortSignal },
): Promise<DecideResult> {
  if (dm.provider === 'rule_based') return { ...(await baselineDecisionMaker(dm.model).decide(input)), llm: null };
  if (!ports.models) throw new LlmCallError('bad_request', `${dm.provider} ${dm.model}: no model gateway here`);
  const prompt = buildPrompt(await promptInput(input, ports.ledger), { promptSections: dm.promptSections });
  const text = `${prompt.system}\n\n${prompt.user}`;
  const base = { prompt: text, promptSha256: createHash('sha256').update(text).digest('hex') };
  let reply: LlmReply;
  try {
    reply = await ports.models.call(dm, prompt, ports.signal);
  } catch (err) {
    // A gateway that stops the run on purpose (a backtest's budget) is not a failed call: it goes up as it is.
    if (err instanceof Error && err.name === 'BudgetExceeded') throw err;
    const failure = err instanceof LlmCallError ? err : new LlmCallError('network', err instanceof Error ? err.message : String(err));
    await ports.models.record({
      ...base,
      status: 'error',
      rawReply: null,
      decisions: [],
      rejected: [],
      tokensIn: 0,
      tokensOut: 0,
      costUsd: 0,
      latencyMs: 0,
      error: `${failure.kind}: ${failure.message}`,
    });
    throw failure;
  }
  const parsed = parseReply(
    reply.text,
    input.market.map((m) => m.symbol),
    {
      structured: reply.structuredOutput,
      truncated: reply.truncated,
    },
  );
  const costUsd = callCost(dm, reply.tokensIn, reply.tokensOut);
  await ports.models.record({
    ...base,
    status: parsed.parsed ? 'ok' : 'unparseable',
    rawReply: reply.raw,
    decisions: parsed.decisions,
    rejected: parsed.rejected,
    tokensIn: reply.tokensIn,
    tokensOut: reply.tokensOut,
    costUsd,
    latencyMs: reply.latencyMs,
    error: null,
  });
  return {
    reasoning: parsed.reasoning,
    decisions: parsed.decisions,
    llm: {
      provider: dm.provider,
      model: dm.model,
      tokensIn: reply.tokensIn,
      tokensOut: reply.tokensOut,
      costUsd,
      latencyMs: reply.latencyMs,
      parsed: parsed.parsed,
      rejected: parsed.rejected.slice(0, REJECTED_IN_RESULT),
    },
  };
}
