/**
 * The resolved, validated configuration. Everything here may travel into workflow history, so it
 * holds no secret: fields that name a credential keep the name of the environment variable that
 * holds it (`apiKeyEnv`), and activities read the value at call time.
 */

export const VENUE_TYPES = ['paper', 'aster', 'hyperliquid', 'binance'] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

export const LLM_PROVIDERS = [
  'deepseek', 'qwen', 'anthropic', 'openai', 'xai', 'google', 'openrouter', 'local',
] as const;
export const DECISION_PROVIDERS = ['rule_based', ...LLM_PROVIDERS] as const;
export type DecisionProvider = (typeof DECISION_PROVIDERS)[number];

export const BASELINE_MODELS = ['ema_trend', 'rsi_reversion', 'buy_and_hold'] as const;
export type BaselineModel = (typeof BASELINE_MODELS)[number];

export const TRADING_STYLES = ['conservative', 'balanced', 'aggressive'] as const;
export type TradingStyle = (typeof TRADING_STYLES)[number];

export interface RiskLimits {
  maxPositions: number;
  maxLeverage: number;
  /** Percentages are of account equity / available balance, 0-100. */
  maxPositionSizePct: number;
  maxTotalPositionPct: number;
  maxSingleTradePct: number;
  maxSingleTradeWithPositionsPct: number;
  maxDailyLossPct: number;
  maxMarginUsagePct: number;
  stopLossPct: number;
  takeProfitPct: number;
}

export interface DecisionMakerConfig {
  provider: DecisionProvider;
  /** Baseline name for `rule_based`, the provider's model id otherwise. */
  model: string;
  temperature: number;
  maxTokens: number;
  baseUrl?: string;
  /** Name of the environment variable holding the API key (never the key itself). */
  apiKeyEnv?: string;
}

export interface ExchangeConfig {
  type: VenueType;
  /** Account name: paper account id, or the suffix of the credential variables of a live venue. */
  account: string;
  testnet: boolean;
  /** Paper venue only: taker fee rate (0.0005 = 0.05 %) and slippage rate applied to market fills. */
  takerFeeRate: number;
  slippageRate: number;
}

export interface StrategyConfig {
  initialBalance: number;
  scanIntervalMinutes: number;
  symbols: string[];
  tradingStyle: TradingStyle;
  risk: RiskLimits;
}

export interface AgentConfig {
  id: string;
  name: string;
  description: string;
  decisionMaker: DecisionMakerConfig;
  exchange: ExchangeConfig;
  strategy: StrategyConfig;
}

export interface SystemConfig {
  /** `replay`: bundled candles, one 3m bar per cycle. `live`: the venue's public endpoints. */
  marketData: 'replay' | 'live';
  /** Wall-clock seconds between cycles in replay mode (live mode uses each agent's scan interval). */
  replayCycleSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export interface AgentEntry {
  id: string;
  name: string;
  enabled: boolean;
  configFile: string;
  /** Present when the agent can run; otherwise `skipReason` says why it does not. */
  config?: AgentConfig;
  skipReason?: string;
}

export interface ArenaConfig {
  /** Absolute path of the arena file, for messages. */
  file: string;
  system: SystemConfig;
  api: { host: string; port: number };
  agents: AgentEntry[];
}
