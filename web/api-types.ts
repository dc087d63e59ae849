/**
 * What the pages (and their client islands: these are types only, gone from the bundles) read from
 * the API: the API's own response types (JSON, so times are ISO strings).
 */
import type { z } from '@hono/zod-openapi';
import type { LeaderboardRow, Performance } from '../analytics/answers';
import type { FigureNote } from '../analytics/sample-rules';
import type { EquityCurveSchema } from '../api/routes/equity-curves';
import type { CostsSchema } from '../api/routes/models';
import type { AgentDetailSchema, DecisionLogSchema, EquityPointSchema, PositionSchema, TradeSchema } from '../api/views/agent-views';
import type { ExecutionResult } from '../execution/execute-orders';
import type { RiskVerdict } from '../risk/types';

export type AgentDetail = z.infer<typeof AgentDetailSchema>;
export type Position = z.infer<typeof PositionSchema>;
export type Trade = z.infer<typeof TradeSchema>;
export type DecisionLog = z.infer<typeof DecisionLogSchema>;
export type EquityPoint = z.infer<typeof EquityPointSchema>;
export type Costs = z.infer<typeof CostsSchema>;
export type EquityCurve = z.infer<typeof EquityCurveSchema>;
export type { FigureNote, LeaderboardRow, Performance };

/** The decision log's JSON columns as the arena writes them (older records may lack fields). */
export type Verdict = Partial<RiskVerdict>;
export type Execution = Partial<ExecutionResult>;
export interface ModelUsage {
  provider?: string;
  model?: string;
  tokensIn?: number;
  tokensOut?: number;
  costUsd?: number;
  latencyMs?: number;
  parsed?: boolean;
  rejected?: Array<{ reason?: string }>;
}
