import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AlertFields, AlertKind, AlertSeverity } from '../alerts/types';
import type { AgentConfig, AlertSettings } from '../arena-config/types';
import type { CycleInputRecord, CycleLlmRecord } from '../cycle/types';
import type { LlmReply } from '../decisions/llm/types';
import type { Decision, PositionView } from '../decisions/types';
import type { ExecutionResult } from '../execution/execute-orders';
import type { RiskVerdict } from '../risk/types';
import type { VenuePosition } from '../venues/venue';

/** NUMERIC columns: pg returns them as strings so that no digit is lost; write strings or numbers. */
export type Numeric = ColumnType<string, string | number, string | number>;
/** BIGINT epoch-ms columns: pg returns int8 as a string. */
export type EpochMs = ColumnType<string, number | string, number | string>;
/** A jsonb column: read as T (pg parses it), written as its JSON text. */
export type Json<T> = ColumnType<T, string, string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface AgentsTable {
  id: string;
  name: string;
  provider: string;
  model: string;
  venue: string;
  account: string;
  initial_balance: Numeric;
  config: Json<AgentConfig>;
  cycle_count: ColumnType<number, number | undefined, number>;
  last_cycle_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_cycle_status: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface CyclesTable {
  agent_id: string;
  cycle_no: number;
  status: 'ok' | 'failed';
  market_time: ColumnType<Date | null, Date | string | null, Date | string | null>;
  started_at: ColumnType<Date, Date | string, Date | string>;
  finished_at: ColumnType<Date, Date | string, Date | string>;
  duration_ms: number;
  /** What the agent saw (`{}` for a cycle that failed before it saw anything). */
  input: Json<Partial<CycleInputRecord>>;
  reasoning: string | null;
  decisions: Json<Decision[]>;
  risk_verdicts: Json<RiskVerdict[]>;
  executions: Json<ExecutionResult[]>;
  error: string | null;
  summary: string;
  /** The decision's model usage (provider, tokens, cost, dropped decisions); null for baselines. */
  llm: ColumnType<CycleLlmRecord | null, string | null | undefined, string | null>;
  llm_cost_usd: ColumnType<string, string | number | undefined, string | number>;
}

export interface LlmCallsTable {
  agent_id: string;
  cycle_no: number;
  attempt: number;
  provider: string;
  model: string;
  status: 'ok' | 'unparseable' | 'error';
  prompt_sha256: string;
  prompt_chars: number;
  prompt: string;
  raw_reply: string | null;
  decisions: Json<Decision[]>;
  rejected: Json<Array<{ item: unknown; reason: string }>>;
  tokens_in: number;
  tokens_out: number;
  cost_usd: Numeric;
  latency_ms: number;
  error: string | null;
  created_at: CreatedAt;
}

export interface OrdersTable {
  agent_id: string;
  client_order_id: string;
  cycle_no: number;
  venue: string;
  account: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: string;
  purpose: 'open' | 'close' | 'stop_loss' | 'take_profit';
  quantity: Numeric;
  stop_price: Numeric | null;
  status: string;
  avg_price: Numeric | null;
  executed_qty: Numeric;
  fee: Numeric;
  venue_order_id: string | null;
  error: string | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface TradesTable {
  id: Generated<number>;
  agent_id: string;
  symbol: string;
  side: 'long' | 'short';
  quantity: Numeric;
  leverage: number;
  margin: Numeric;
  entry_price: Numeric;
  exit_price: Numeric | null;
  stop_loss: Numeric | null;
  take_profit: Numeric | null;
  open_cycle: number;
  close_cycle: number | null;
  open_order_id: string;
  close_order_id: string | null;
  opened_at: ColumnType<Date, Date | string, Date | string>;
  closed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  fees: Numeric;
  funding: Numeric;
  realized_pnl: Numeric | null;
  pnl: Numeric | null;
  status: 'open' | 'closed';
  close_reason: string | null;
}

/** One filled order (ours or the venue's own: stop-loss, take-profit, liquidation, by hand). */
export interface FillsTable {
  agent_id: string;
  client_order_id: string;
  venue: string;
  account: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  quantity: Numeric;
  price: Numeric;
  fee: Numeric;
  /** Gross PnL the fill realised (reducing fills; 0 for opens). */
  realized_pnl: Numeric;
  /** The venue's (market) time of the fill. */
  time: ColumnType<Date, Date | string, Date | string>;
  recorded_at: CreatedAt;
}

export interface EquitySnapshotsTable {
  agent_id: string;
  cycle_no: number;
  market_time: ColumnType<Date, Date | string, Date | string>;
  recorded_at: CreatedAt;
  equity: Numeric;
  cash: Numeric;
  margin: Numeric;
  unrealized_pnl: Numeric;
  position_count: number;
  /** The venue's positions after the cycle's orders (with their protection since the lean cycle). */
  positions: Json<StoredPosition[]>;
}

/** A position as snapshots keep it: older rows are venue positions, newer ones also carry their stops. */
export type StoredPosition = Omit<VenuePosition, 'marginType'> &
  Partial<Pick<VenuePosition, 'marginType'>> &
  Partial<Pick<PositionView, 'stopLoss' | 'takeProfit'>>;

export interface PaperAccountsTable {
  account_id: string;
  initial_balance: Numeric;
  /** Free balance: not locked as isolated margin. */
  cash: Numeric;
  /** Market clock up to which bars, funding and triggers have been applied. */
  market_time: EpochMs;
  created_at: CreatedAt;
}

export interface PaperSymbolSettingsTable {
  account_id: string;
  symbol: string;
  leverage: number;
  margin_type: 'isolated' | 'cross';
}

export interface PaperPositionsTable {
  account_id: string;
  symbol: string;
  side: 'long' | 'short';
  quantity: Numeric;
  entry_price: Numeric;
  leverage: number;
  margin: Numeric;
  opened_at: EpochMs;
}

export interface PaperOrdersTable {
  order_id: Generated<string>;
  account_id: string;
  client_order_id: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: string;
  quantity: Numeric;
  stop_price: Numeric | null;
  reduce_only: boolean;
  close_position: boolean;
  status: string;
  executed_qty: Numeric;
  avg_price: Numeric | null;
  fee: Numeric;
  realized_pnl: Numeric;
  created_time: EpochMs;
  update_time: EpochMs;
  /** Wall-clock time the venue received the order. */
  received_at: ColumnType<Date, never, never>;
}

export interface PaperIncomeTable {
  id: Generated<string>;
  account_id: string;
  symbol: string;
  income_type: 'REALIZED_PNL' | 'COMMISSION' | 'FUNDING_FEE' | 'INSURANCE_CLEAR';
  amount: Numeric;
  client_order_id: string | null;
  time: EpochMs;
}

export interface TradingLocksTable {
  lock_id: string;
  /** Fencing token of the current grant: strictly increasing per lock. */
  token: ColumnType<string, number, number>;
  holder: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface ArenaClockTable {
  id: string;
  first_market_time: EpochMs;
  last_market_time: EpochMs;
  bar_wall_ms: number;
  /** Wall time the replay has run, up to `running_since`. */
  elapsed_ms: EpochMs;
  running_since: ColumnType<Date | null, Date | string | null, Date | string | null>;
  /** The runner's last sign of life: a runner that stopped without saying so holds the clock here. */
  heartbeat_at: ColumnType<Date | null, Date | string | null, Date | string | null>;
}

/** The arena file's alert settings as the launcher last started them (one row), and the dispatcher's task queue. */
export interface AlertSettingsTable {
  id: string;
  settings: Json<AlertSettings>;
  task_queue: string;
  updated_at: UpdatedAt;
}

/** One row per alert event: the key names the event, so a second detection of it adds nothing. */
export interface AlertEventsTable {
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  agent_id: string | null;
  title: string;
  fields: Json<AlertFields>;
  /** When it happened: market time for what a cycle saw, wall-clock time for the time-based checks. */
  occurred_at: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
}

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** The outbox: one row per alert event and channel, sent by the alert dispatcher. */
export interface AlertDeliveriesTable {
  id: Generated<string>;
  event_key: string;
  channel: string;
  status: 'pending' | 'sent' | 'failed';
  /** Attempts started (each is recorded before its request leaves). */
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  /** An attempt under way holds the row until then. */
  claimed_until: NullableTimestamp;
  last_attempt_at: NullableTimestamp;
  /** An attempt started and its outcome is unknown (a crash, a timeout): the message may have arrived. */
  in_flight: ColumnType<boolean, boolean | undefined, boolean>;
  /** An earlier attempt may have arrived: channels that cannot deduplicate label the message. */
  possible_repeat: ColumnType<boolean, boolean | undefined, boolean>;
  last_error: string | null;
  /** What the receiver answered (HTTP status, Telegram's message id). */
  receipt: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  sent_at: NullableTimestamp;
  created_at: CreatedAt;
}

/** What the alerts know of each agent's last recorded cycle (the past that cycle detection compares with). */
export interface AlertAgentMarksTable {
  agent_id: string;
  cycle_no: number;
  market_time: Timestamp;
  safe_mode: boolean;
  unprotected: Json<string[]>;
  updated_at: UpdatedAt;
}

/** Model replies by the hash of what was asked (model-replies/key.ts). */
export interface ModelRepliesTable {
  key: string;
  provider: string;
  model: string;
  prompt_sha256: string;
  reply: Json<LlmReply>;
  created_at: CreatedAt;
}

/** Every config an agent has run with, by the digest of its content (rows never change). */
export interface AgentConfigsTable {
  agent_id: string;
  digest: string;
  config: Json<AgentConfig>;
  created_at: CreatedAt;
}

export interface Database {
  agent_configs: AgentConfigsTable;
  model_replies: ModelRepliesTable;
  alert_settings: AlertSettingsTable;
  alert_events: AlertEventsTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_agent_marks: AlertAgentMarksTable;
  arena_clock: ArenaClockTable;
  trading_locks: TradingLocksTable;
  llm_calls: LlmCallsTable;
  agents: AgentsTable;
  cycles: CyclesTable;
  orders: OrdersTable;
  trades: TradesTable;
  fills: FillsTable;
  equity_snapshots: EquitySnapshotsTable;
  paper_accounts: PaperAccountsTable;
  paper_symbol_settings: PaperSymbolSettingsTable;
  paper_positions: PaperPositionsTable;
  paper_orders: PaperOrdersTable;
  paper_income: PaperIncomeTable;
}

export type TradeRow = Selectable<TradesTable>;
export type NewTrade = Insertable<TradesTable>;
export type OrderRow = Selectable<OrdersTable>;
export type CycleRow = Selectable<CyclesTable>;
export type FillRow = Selectable<FillsTable>;
