/**
 * The resolved, validated configuration. Everything here may travel into workflow history, so it
 * holds no secret: fields that name a credential keep the name of the environment variable that
 * holds it (`apiKeyEnv`), and activities read the value at call time.
 */

export const VENUE_TYPES = ['paper', 'aster', 'hyperliquid', 'binance'] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

export const LLM_PROVIDERS = ['deepseek', 'qwen', 'anthropic', 'openai', 'xai', 'google', 'openrouter', 'local'] as const;
export const DECISION_PROVIDERS = ['rule_based', ...LLM_PROVIDERS] as const;
export type DecisionProvider = (typeof DECISION_PROVIDERS)[number];

export const BASELINE_MODELS = ['ema_trend', 'rsi_reversion', 'buy_and_hold', 'random_entry'] as const;
export type BaselineModel = (typeof BASELINE_MODELS)[number];

export const TRADING_STYLES = ['conservative', 'balanced', 'aggressive'] as const;
export type TradingStyle = (typeof TRADING_STYLES)[number];

export interface RiskLimits {
  maxPositions: number;
  maxLeverage: number;
  // Percentages, 0-100. Position sizes and exposure are committed margin, not notional (see risk/engine.ts).
  /** One position's margin, % of equity. */
  maxPositionSizePct: number;
  /** All positions' margin together, the new one included, % of equity. */
  maxTotalPositionPct: number;
  /** Margin plus taker fee of one new trade, % of available balance, with no position open... */
  maxSingleTradePct: number;
  /** ...and with positions open. */
  maxSingleTradeWithPositionsPct: number;
  /** No new positions for the rest of the UTC day once equity fell this far (%) below the day's start. */
  maxDailyLossPct: number;
  /** Margin in use (the venue's figure) plus the new margin, % of equity. */
  maxMarginUsagePct: number;
  /** Default stop-loss and take-profit distances from entry (%) when a decision gives none. */
  stopLossPct: number;
  takeProfitPct: number;
  // The fields below came after the first configs were recorded in workflow histories, so they are
  // optional: an absent field means its default in RISK_LIMIT_DEFAULTS (see `withRiskDefaults`).
  /** Symbols under the major caps (leverage and position value); every other symbol is an altcoin. */
  majorSymbols?: string[];
  majorMaxLeverage?: number;
  altcoinMaxLeverage?: number;
  /** Position value (notional) caps, as multiples of equity. */
  majorMaxNotionalMultiple?: number;
  altcoinMaxNotionalMultiple?: number;
  /** Reward / risk of a new position's take-profit and stop-loss; 2 means 1:2. 0 turns the check off. */
  minRiskReward?: number;
  /** No new positions while equity is this far (%) below its peak. 100 turns it off. */
  maxDrawdownPct?: number;
  /** No new position in a symbol for this long after a stop-loss closed one there. 0 turns it off. */
  stopLossCooldownMinutes?: number;
  maxOpensPerHour?: number;
  /** A close of a position younger than this is refused (venue-side stops still fire). 0 turns it off. */
  minHoldingMinutes?: number;
  /** false lets a long and a short of the same symbol be open at once (hedge-mode venues only). */
  onePositionPerSymbol?: boolean;
  /** A new position's stop-loss further than this from entry (%) is tightened to it. Absent: no cap. */
  maxStopLossPct?: number;
}

/** The risk limits a config may leave out. */
export type OptionalRiskLimit = { [K in keyof RiskLimits]-?: undefined extends RiskLimits[K] ? K : never }[keyof RiskLimits];

/** Their defaults: the 002 seed's class caps and risk-reward, our own protections. */
export const RISK_LIMIT_DEFAULTS: Readonly<Required<Pick<RiskLimits, Exclude<OptionalRiskLimit, 'maxStopLossPct'>>>> = {
  majorSymbols: ['BTCUSDT', 'ETHUSDT'],
  majorMaxLeverage: 50,
  altcoinMaxLeverage: 20,
  majorMaxNotionalMultiple: 10,
  altcoinMaxNotionalMultiple: 1.5,
  minRiskReward: 2,
  maxDrawdownPct: 30,
  stopLossCooldownMinutes: 15,
  maxOpensPerHour: 10,
  minHoldingMinutes: 0,
  onePositionPerSymbol: true,
};

/** Every risk limit, the optional ones filled with their defaults (`maxStopLossPct` has none: absent means no cap). */
export type ResolvedRiskLimits = Required<Omit<RiskLimits, 'maxStopLossPct'>> & Pick<RiskLimits, 'maxStopLossPct'>;

const resolved = new WeakMap<RiskLimits, ResolvedRiskLimits>();

/** The limits with their defaults filled in; resolved once per limits object (a backtest asks at every cycle). */
export function withRiskDefaults(limits: RiskLimits): ResolvedRiskLimits {
  let full = resolved.get(limits);
  if (!full) {
    const given = Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
    full = Object.freeze({ ...RISK_LIMIT_DEFAULTS, majorSymbols: [...RISK_LIMIT_DEFAULTS.majorSymbols], ...given }) as ResolvedRiskLimits;
    resolved.set(limits, full);
  }
  return full;
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
  /** Model call timeout (default 120 s). Optional fields: configs recorded before they existed lack them. */
  timeoutSeconds?: number;
  /** USD per million input / output tokens, for the cost of each call (default 0). */
  priceInputPerMillion?: number;
  priceOutputPerMillion?: number;
  /** Consecutive failed model calls after which the agent opens nothing until a call succeeds (default 3). */
  maxConsecutiveFailures?: number;
  /** Extra sections appended to the system prompt, in order. */
  promptSections?: string[];
}

export const DECISION_MAKER_DEFAULTS = {
  timeoutSeconds: 120,
  priceInputPerMillion: 0,
  priceOutputPerMillion: 0,
  maxConsecutiveFailures: 3,
} as const;

/** Exchange fields that hold credentials (as the names of the variables that hold them). */
export const CREDENTIAL_FIELDS = ['user', 'signer', 'private_key', 'api_key', 'api_secret', 'secret'] as const;
export type CredentialField = (typeof CREDENTIAL_FIELDS)[number];

/**
 * Details of Aster's v3 signing that its documentation leaves open (see README, "Live venues"). The
 * defaults follow the current API document; each can be switched once a testnet run says otherwise.
 */
export interface AsterSigningOptions {
  /** Add `user=<main account>` to the signed parameters (the 2026-01 scheme and the JS demo) or not (current doc). */
  includeUser: boolean;
  /** Send the signature with its `0x` prefix (JS demo) or bare hex (Python doc example). */
  signaturePrefix0x: boolean;
  /** Sign the URL-encoded parameter string (Python doc) or the raw one (JS demo); they differ only for reserved characters. */
  signEncoding: 'urlencoded' | 'raw';
}

export const ASTER_SIGNING_DEFAULTS: AsterSigningOptions = { includeUser: false, signaturePrefix0x: true, signEncoding: 'urlencoded' };

export interface ExchangeConfig {
  type: VenueType;
  /** Account name: paper account id, or the suffix of the credential variables of a live venue. */
  account: string;
  testnet: boolean;
  /** Paper venue only: taker fee rate (0.0005 = 0.05 %) and slippage rate applied to market fills. */
  takerFeeRate: number;
  slippageRate: number;
  // Optional: configs recorded in workflow histories before live venues existed lack them.
  /** REST base URL instead of the venue's default for `testnet` (another host of the venue, a local test server). */
  baseUrl?: string;
  /**
   * Live venues: the variables holding this account's credentials, by field, as the agent file names
   * them. Fields left out use the conventional `<VENUE>_<FIELD>_<ACCOUNT>` name (see venues/credentials.ts).
   */
  credentialEnv?: Partial<Record<CredentialField, string>>;
  /** Aster only. */
  asterSigning?: AsterSigningOptions;
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
  /** Live mode: whose public endpoints the candles and funding come from (no credentials needed). */
  liveMarketData: { venue: Exclude<VenueType, 'paper'>; testnet: boolean; baseUrl?: string };
  /** Replay: wall-clock seconds one 3m bar lasts on the arena's market clock (live mode: 3 real minutes). */
  replayCycleSeconds: number;
  /** Replay: the folder of candles and funding (absolute); undefined for the bundled data. */
  replayDataDir?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** One trading lock per venue account, or one for every account (as the seed's global lock). */
  tradingLock: 'per_account' | 'global';
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
  alerts: AlertsConfig;
}

// ---------------------------------------------------------------------------------------------
// Alerts (`alerts:` in the arena file; see alerts/).

/** A setting written in the file, or the name of the variable that holds it, read only when it is used (secrets). */
export type ValueSource = { value: string } | { env: string };

export interface WebhookChannelConfig {
  type: 'webhook';
  name: string;
  /** A Slack incoming webhook's URL is itself a secret: give it as a variable. */
  url: ValueSource;
  maxPerMinute: number;
}

export interface TelegramChannelConfig {
  type: 'telegram';
  name: string;
  /** The variable holding the bot token (never the token). */
  botTokenEnv: string;
  chatId: ValueSource;
  /** The Bot API's root (another host, or a local server in tests). */
  apiBaseUrl: string;
  maxPerMinute: number;
}

export type AlertChannelConfig = WebhookChannelConfig | TelegramChannelConfig;
export const ALERT_CHANNEL_TYPES = ['webhook', 'telegram'] as const;

export interface AlertThresholds {
  /** Failed cycles in a row that raise an alert. */
  failingCycles: number;
  /** Venue errors of one agent (orders the venue refused, cycles failed at the venue) in 10 minutes above which an alert is raised. */
  venueErrorsPer10Minutes: number;
  /** An alert when equity falls more than this (%) below its high of the last hour (market time). */
  equityDropPctPerHour: number;
  /** An alert when a running agent has recorded no cycle for longer than this (wall clock). */
  noCycleMinutes: number;
}

export const ALERT_THRESHOLD_DEFAULTS: Readonly<AlertThresholds> = {
  failingCycles: 3,
  venueErrorsPer10Minutes: 5,
  equityDropPctPerHour: 20,
  noCycleMinutes: 60,
};

/** What the record step and the alert dispatcher work from (the launcher stores it in the database; no secret in it). */
export interface AlertSettings {
  /** The channels that run: every variable they name was set when the arena started. */
  channels: AlertChannelConfig[];
  thresholds: AlertThresholds;
  dailySummary: boolean;
  /** How often the dispatcher runs the time-based checks (agent stopped, no cycle). */
  checkIntervalSeconds: number;
}

export interface AlertsConfig extends AlertSettings {
  /** Channels that do not run, and why (a variable they name is not set). */
  skippedChannels: Array<{ name: string; reason: string }>;
}
