import type { ModelCallRecord } from '../cycle/decide';
import { llmCalls, llmCost, llmDroppedDecisions, llmLatency, llmParseFailures, llmTokens } from './metrics';

/** One model call attempt, as recorded in llm_calls: its outcome, tokens, cost and (when it answered) latency. */
export function countModelCall(provider: string, model: string, call: ModelCallRecord): void {
  const labels = { provider, model };
  llmCalls.inc({ ...labels, outcome: call.status });
  if (call.status === 'error') return;
  llmTokens.inc({ ...labels, direction: 'in' }, call.tokensIn);
  llmTokens.inc({ ...labels, direction: 'out' }, call.tokensOut);
  llmCost.inc(labels, call.costUsd);
  llmLatency.observe(labels, call.latencyMs / 1000);
  llmDroppedDecisions.inc(labels, call.rejected.length);
  if (call.status === 'unparseable') llmParseFailures.inc(labels);
}
