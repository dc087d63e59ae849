/**
 * Schemas for the two YAML files (snake_case, with the seed's defaults) and for the resolved
 * camelCase `AgentConfig`. Pure: imports nothing but zod and ./types, so workflow code may use
 * `validateAgentConfig` (e.g. in an update validator).
 */
import { z } from 'zod';
import { apiKeyVariableProblem, credentialVariableProblem } from './secret-variables';
import {
  ALERT_CHANNEL_TYPES,
  ALERT_THRESHOLD_DEFAULTS,
  ASTER_SIGNING_DEFAULTS,
  BASELINE_MODELS,
  CREDENTIAL_FIELDS,
  DECISION_MAKER_DEFAULTS,
  DECISION_PROVIDERS,
  RISK_LIMIT_DEFAULTS,
  TRADING_STYLES,
  VENUE_TYPES,
  type AgentConfig,
  type CredentialField,
  type DecisionProvider,
  type RiskLimits,
  type ValueSource,
} from './types';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    /** The file at fault (absolute path), or a label such as "agent config" when there is none. */
    readonly file: string,
    /** Dotted path of the field at fault, e.g. `strategy.risk_management.max_leverage`; '' for the whole file. */
    readonly path: string,
    /** The offending value (redacted for credential fields). */
    readonly value: unknown,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Field types shared by the file schemas and the resolved schema. Each carries one "expected ..."
// phrase used for every way the field can be wrong, so messages read the same for a wrong type
// and an out-of-range number.

function numberFrom(min: number, max: number, opts: { int?: boolean } = {}) {
  const expected = `expected ${opts.int ? 'a whole number' : 'a number'} from ${min} to ${max}`;
  const base = z.number({ error: expected });
  return (opts.int ? base.int({ error: expected }) : base).min(min, { error: expected }).max(max, { error: expected });
}

function positiveNumber(max: number) {
  const expected = `expected a number above 0 and at most ${max}`;
  return z.number({ error: expected }).positive({ error: expected }).max(max, { error: expected });
}

function text(what: string, pattern?: RegExp) {
  const expected = `expected ${what}`;
  const base = z.string({ error: expected }).trim().min(1, { error: expected });
  return pattern ? base.regex(pattern, { error: expected }) : base;
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, noun = '') {
  return z.enum(values, {
    error: (issue) =>
      issue.input === undefined || typeof issue.input !== 'string'
        ? `expected one of ${values.join(', ')}`
        : `unknown ${noun ? `${noun} ` : ''}${JSON.stringify(issue.input)} (expected one of ${values.join(', ')})`,
  });
}

const bool = z.boolean({ error: 'expected true or false' });

function mapping<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, { error: 'expected a mapping of "key: value" lines' });
}

export const AGENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYMBOL_PATTERN = /^[A-Z0-9]{2,20}USDT$/;
const URL_PATTERN = /^https?:\/\/[^\s/]+\S*$/;

const agentId = text('an id of letters, digits, ".", "_" or "-" (at most 64 characters)', AGENT_ID_PATTERN);
const percent = numberFrom(0, 100);
const leverage = numberFrom(1, 125, { int: true });
const maxPositions = numberFrom(1, 50, { int: true });
const initialBalance = positiveNumber(1e9);
const scanIntervalMinutes = numberFrom(1, 1440, { int: true });
const temperature = numberFrom(0, 2);
const timeoutSeconds = numberFrom(5, 1800);
const pricePerMillion = numberFrom(0, 1000);
const consecutiveFailures = numberFrom(1, 100, { int: true });
const promptSections = z
  .array(z.string({ error: 'expected a text' }).max(4000, 'at most 4000 characters'), { error: 'expected a list of texts' })
  .max(20, 'at most 20 sections');
const maxTokens = numberFrom(1, 200_000, { int: true });
const feeRate = numberFrom(0, 0.01);
const baseUrl = text('an http(s) URL', URL_PATTERN);
const envName = text('an environment variable name', ENV_NAME_PATTERN);

const symbol = text('a symbol like BTCUSDT (upper case, quoted in USDT)', SYMBOL_PATTERN);
const symbols = z
  .array(symbol, { error: 'expected a list of symbols like [BTCUSDT, ETHUSDT]' })
  .min(1, { error: 'expected at least one symbol' })
  .refine((list) => new Set(list).size === list.length, { error: 'expected each symbol once (the list has duplicates)' });
const majorSymbols = z.array(symbol, { error: 'expected a list of symbols like [BTCUSDT, ETHUSDT] (may be empty)' });

// The risk limits added after the first release: optional everywhere, an absent one takes its default
// from RISK_LIMIT_DEFAULTS (configs already recorded in workflow histories do not have them).
const notionalMultiple = positiveNumber(125);
const riskReward = numberFrom(0, 100);
const minutes = numberFrom(0, 10_080);
const opensPerHour = numberFrom(1, 1000, { int: true });

/**
 * Default stop-loss and take-profit must pass the risk-reward check themselves, or every order that
 * relies on them would be refused.
 */
function defaultProtectionProblem(stopLossPct: number, takeProfitPct: number, minRiskReward: number | undefined): string | null {
  const minimum = minRiskReward ?? RISK_LIMIT_DEFAULTS.minRiskReward;
  if (takeProfitPct >= stopLossPct * minimum * (1 - 1e-9)) return null;
  return (
    `take-profit ${takeProfitPct} % is less than min risk-reward ${minimum} x stop-loss ${stopLossPct} %: ` +
    'every order using these defaults would be refused (raise the take-profit or lower the minimum risk-reward)'
  );
}

/** A credential written as `${NAME}` becomes NAME; anything else is refused without echoing it. */
const ENV_REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
export const LITERAL_SECRET_MESSAGE =
  'credentials are read from the environment: write it as ${SOME_ENV_VAR} so the key never lands in files, history or logs';
const envReference = z
  .string({ error: LITERAL_SECRET_MESSAGE })
  .regex(ENV_REFERENCE, { error: LITERAL_SECRET_MESSAGE })
  .transform((ref) => ENV_REFERENCE.exec(ref)![1]);

/** Exchange credential fields must be `${NAME}` references: only the variable's name reaches the result. */
export { CREDENTIAL_FIELDS, type CredentialField };

/** The variable each LLM provider's key conventionally lives in, for hints in messages. */
export const CONVENTIONAL_KEY_ENV: Partial<Record<DecisionProvider, string>> = {
  deepseek: 'DEEPSEEK_API_KEY',
  qwen: 'QWEN_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  openai: 'OPENAI_API_KEY',
  xai: 'XAI_API_KEY',
  google: 'GOOGLE_API_KEY',
  openrouter: 'OPENROUTER_API_KEY',
};

interface FieldProblem {
  field: 'model' | 'apiKey' | 'baseUrl';
  value: unknown;
  message: string;
}

/** Rules that tie the decision maker's fields to its provider; shared by both schemas. */
function decisionMakerProblems(dm: {
  provider: DecisionProvider;
  model: string;
  apiKeyEnv: string | undefined;
  hasBaseUrl: boolean;
}): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (dm.provider === 'rule_based') {
    if (!(BASELINE_MODELS as readonly string[]).includes(dm.model)) {
      problems.push({
        field: 'model',
        value: dm.model,
        message: `unknown baseline ${JSON.stringify(dm.model)} (expected one of ${BASELINE_MODELS.join(', ')})`,
      });
    }
    if (dm.apiKeyEnv !== undefined)
      problems.push({ field: 'apiKey', value: '<redacted>', message: 'a rule_based agent takes no api key (remove it)' });
    if (dm.hasBaseUrl) problems.push({ field: 'baseUrl', value: undefined, message: 'a rule_based agent takes no base url (remove it)' });
  } else if (dm.apiKeyEnv === undefined) {
    if (dm.provider !== 'local') {
      const hint = CONVENTIONAL_KEY_ENV[dm.provider] ?? 'SOME_ENV_VAR';
      problems.push({ field: 'apiKey', value: undefined, message: `required field is missing (write it as \${${hint}})` });
    }
  } else {
    const problem = apiKeyVariableProblem(dm.provider, dm.apiKeyEnv);
    if (problem) problems.push({ field: 'apiKey', value: `\${${dm.apiKeyEnv}}`, message: problem });
  }
  return problems;
}

/** Credential variables must carry their venue's prefix (secret-variables.ts); `names` maps field to variable. */
function credentialProblems(
  venue: (typeof VENUE_TYPES)[number],
  names: Partial<Record<CredentialField, string>> | undefined,
): Array<{ field: CredentialField; name: string; message: string }> {
  if (venue === 'paper') return [];
  return CREDENTIAL_FIELDS.flatMap((field) => {
    const name = names?.[field];
    const message = name === undefined ? null : credentialVariableProblem(venue, field, name);
    return message && name !== undefined ? [{ field, name, message }] : [];
  });
}

// ---------------------------------------------------------------------------------------------
// The arena file (e.g. config/arena.yaml).

const logLevel = z.preprocess(
  // The seed writes DEBUG/INFO/WARNING/ERROR.
  (v) => (typeof v === 'string' ? (({ warning: 'warn' } as Record<string, string>)[v.toLowerCase()] ?? v.toLowerCase()) : v),
  oneOf(['debug', 'info', 'warn', 'error'] as const, 'log level'),
);

// Alerts (alerts/): where they go and when they are raised. A secret is a `${VARIABLE}` kept by name,
// like a credential; a URL or chat id may also be written as it is.

const TELEGRAM_API_URL = 'https://api.telegram.org';
const CHAT_ID_PATTERN = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/;
const channelName = text('a channel name of letters, digits, ".", "_" or "-"', AGENT_ID_PATTERN);
const perMinute = numberFrom(1, 600, { int: true });

/** A value written in the file (`isValue` says which are), or `${VARIABLE}`: then only the variable's name is kept. */
function valueOrVariable(what: string, isValue: (text: string) => boolean) {
  const expected = `expected ${what} or \${VARIABLE}`;
  return z.preprocess(
    (v) => (typeof v === 'number' && Number.isInteger(v) ? String(v) : v),
    z
      .string({ error: expected })
      .trim()
      .transform((text, ctx): ValueSource => {
        const reference = ENV_REFERENCE.exec(text);
        if (reference) return { env: reference[1]! };
        if (isValue(text)) return { value: text };
        ctx.addIssue({ code: 'custom', message: expected, input: text });
        return z.NEVER;
      }),
  );
}

const webhookChannelFile = mapping({
  type: z.literal('webhook'),
  name: channelName.optional(),
  url: valueOrVariable('an http(s) URL', (t) => URL_PATTERN.test(t)),
  max_per_minute: perMinute.default(30),
});

const telegramChannelFile = mapping({
  type: z.literal('telegram'),
  name: channelName.optional(),
  bot_token: envReference,
  chat_id: valueOrVariable('a chat id (a number, or @channelname)', (t) => CHAT_ID_PATTERN.test(t)),
  api_base_url: baseUrl.default(TELEGRAM_API_URL),
  // The Bot API lets a bot send about 20 messages a minute to one group.
  max_per_minute: perMinute.default(20),
});

const alertChannelFile = z.discriminatedUnion('type', [webhookChannelFile, telegramChannelFile], {
  error: (issue) => {
    const input = issue.input;
    if (input === null || typeof input !== 'object' || Array.isArray(input)) return 'expected a mapping of "key: value" lines';
    const type = (input as Record<string, unknown>).type;
    const expected = `expected one of ${ALERT_CHANNEL_TYPES.join(', ')}`;
    return type === undefined ? `required field is missing (${expected})` : `unknown channel type ${JSON.stringify(type)} (${expected})`;
  },
});

const alertsFile = mapping({
  channels: z.array(alertChannelFile, { error: 'expected a list of channels' }).default([]),
  failing_cycles: numberFrom(1, 1000, { int: true }).default(ALERT_THRESHOLD_DEFAULTS.failingCycles),
  venue_errors_per_10_minutes: numberFrom(0, 100_000, { int: true }).default(ALERT_THRESHOLD_DEFAULTS.venueErrorsPer10Minutes),
  equity_drop_pct_per_hour: positiveNumber(100).default(ALERT_THRESHOLD_DEFAULTS.equityDropPctPerHour),
  no_cycle_minutes: positiveNumber(10_080).default(ALERT_THRESHOLD_DEFAULTS.noCycleMinutes),
  daily_summary: bool.default(true),
  check_interval_seconds: numberFrom(1, 3600).default(60),
}).superRefine((alerts, ctx) => {
  const seen = new Map<string, number>();
  alerts.channels.forEach((channel, index) => {
    const name = channel.name ?? channel.type;
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['channels', index, 'name'],
        input: name,
        message: `duplicate channel name ${JSON.stringify(name)} (also channels[${earlier}]; give each channel a name of its own)`,
      });
    }
    seen.set(name, index);
  });
});

export const ArenaFileSchema = mapping({
  system: mapping({
    market_data: oneOf(['replay', 'live'] as const, 'market data mode').default('replay'),
    /** Live mode: the venue whose public candles and funding every agent sees. */
    market_data_venue: oneOf(['binance', 'aster', 'hyperliquid'] as const, 'market data venue').default('binance'),
    market_data_testnet: bool.default(false),
    market_data_base_url: baseUrl.optional(),
    replay_cycle_seconds: numberFrom(1, 3600).default(5),
    /** Replay: a folder of candles and funding in the layout of data/ (relative to this file); default the bundled data. */
    replay_data_dir: text('a folder path').optional(),
    log_level: logLevel.default('info'),
    /** `per_account`: agents on different venue accounts never wait for each other; `global`: one lock for all. */
    trading_lock: oneOf(['per_account', 'global'] as const, 'trading lock scope').default('per_account'),
    /** The seed's name for the default scan interval of agents that do not set their own. */
    scan_interval_minutes: scanIntervalMinutes.default(3),
    /** At most this many agents run; later runnable ones in the list are skipped. */
    max_concurrent_agents: numberFrom(1, 1000, { int: true }).optional(),
  }).prefault({}),
  api: mapping({
    /** Loopback by default: another address exposes the API (and its open reads) to that network. */
    host: text('a host name or address').default('127.0.0.1'),
    port: numberFrom(1, 65535, { int: true }).default(8000),
  }).prefault({}),
  agents: z
    .array(
      mapping({
        id: agentId,
        name: text('a display name').optional(),
        enabled: bool.default(true),
        config_file: text('a path to the agent file, relative to this file'),
      }),
      { error: 'expected a list of agents' },
    )
    .min(1, { error: 'expected at least one agent' }),
  alerts: alertsFile.prefault({}),
});
export type ArenaFile = z.output<typeof ArenaFileSchema>;

// ---------------------------------------------------------------------------------------------
// One agent file (e.g. config/agents/ema-trend.yaml).

export const RiskManagementSchema = mapping({
  max_positions: maxPositions.default(3),
  max_leverage: leverage.default(10),
  max_position_size_pct: percent.default(30),
  max_total_position_pct: percent.default(80),
  max_single_trade_pct: percent.default(50),
  max_single_trade_with_positions_pct: percent.default(30),
  max_daily_loss_pct: percent.default(15),
  max_margin_usage_pct: percent.default(90),
  stop_loss_pct: positiveNumber(100).default(3),
  take_profit_pct: positiveNumber(1000).default(10),
  major_symbols: majorSymbols.optional(),
  major_max_leverage: leverage.optional(),
  altcoin_max_leverage: leverage.optional(),
  major_max_notional_multiple: notionalMultiple.optional(),
  altcoin_max_notional_multiple: notionalMultiple.optional(),
  min_risk_reward: riskReward.optional(),
  max_drawdown_pct: percent.optional(),
  stop_loss_cooldown_minutes: minutes.optional(),
  max_opens_per_hour: opensPerHour.optional(),
  min_holding_minutes: minutes.optional(),
  one_position_per_symbol: bool.optional(),
  max_stop_loss_pct: positiveNumber(100).optional(),
}).superRefine((rm, ctx) => {
  const problem = defaultProtectionProblem(rm.stop_loss_pct, rm.take_profit_pct, rm.min_risk_reward);
  if (problem) ctx.addIssue({ code: 'custom', path: ['take_profit_pct'], message: problem, input: rm.take_profit_pct });
});

/** The camelCase limits of a parsed `risk_management` mapping; optional limits only when the file sets them. */
export function riskLimitsFromFile(rm: AgentFile['strategy']['risk_management']): RiskLimits {
  const optional: Partial<RiskLimits> = {
    majorSymbols: rm.major_symbols,
    majorMaxLeverage: rm.major_max_leverage,
    altcoinMaxLeverage: rm.altcoin_max_leverage,
    majorMaxNotionalMultiple: rm.major_max_notional_multiple,
    altcoinMaxNotionalMultiple: rm.altcoin_max_notional_multiple,
    minRiskReward: rm.min_risk_reward,
    maxDrawdownPct: rm.max_drawdown_pct,
    stopLossCooldownMinutes: rm.stop_loss_cooldown_minutes,
    maxOpensPerHour: rm.max_opens_per_hour,
    minHoldingMinutes: rm.min_holding_minutes,
    onePositionPerSymbol: rm.one_position_per_symbol,
    maxStopLossPct: rm.max_stop_loss_pct,
  };
  return {
    maxPositions: rm.max_positions,
    maxLeverage: rm.max_leverage,
    maxPositionSizePct: rm.max_position_size_pct,
    maxTotalPositionPct: rm.max_total_position_pct,
    maxSingleTradePct: rm.max_single_trade_pct,
    maxSingleTradeWithPositionsPct: rm.max_single_trade_with_positions_pct,
    maxDailyLossPct: rm.max_daily_loss_pct,
    maxMarginUsagePct: rm.max_margin_usage_pct,
    stopLossPct: rm.stop_loss_pct,
    takeProfitPct: rm.take_profit_pct,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

const credentialFields = Object.fromEntries(CREDENTIAL_FIELDS.map((f) => [f, envReference.optional()])) as Record<
  CredentialField,
  z.ZodOptional<typeof envReference>
>;

export const AgentFileSchema = mapping({
  agent: mapping({
    id: agentId,
    name: text('a display name').optional(),
    description: z.string({ error: 'expected a text' }).default(''),
  }),
  llm: mapping({
    provider: oneOf(DECISION_PROVIDERS, 'provider'),
    model: text('a model id (or a baseline name for rule_based)'),
    api_key: envReference.optional(),
    base_url: baseUrl.optional(),
    temperature: temperature.default(0.15),
    max_tokens: maxTokens.default(4000),
    timeout_seconds: timeoutSeconds.default(DECISION_MAKER_DEFAULTS.timeoutSeconds),
    price_input_per_million: pricePerMillion.default(0),
    price_output_per_million: pricePerMillion.default(0),
    max_consecutive_failures: consecutiveFailures.default(DECISION_MAKER_DEFAULTS.maxConsecutiveFailures),
    prompt_sections: promptSections.default([]),
  }).superRefine((llm, ctx) => {
    const fileField = { model: 'model', apiKey: 'api_key', baseUrl: 'base_url' } as const;
    for (const p of decisionMakerProblems({
      provider: llm.provider,
      model: llm.model,
      apiKeyEnv: llm.api_key,
      hasBaseUrl: llm.base_url !== undefined,
    })) {
      ctx.addIssue({ code: 'custom', path: [fileField[p.field]], message: p.message, input: p.value });
    }
  }),
  exchange: mapping({
    type: oneOf(VENUE_TYPES, 'venue'),
    account: text('an account name').optional(),
    testnet: bool.default(false),
    taker_fee_rate: feeRate.default(0.0005),
    slippage_rate: feeRate.default(0.0002),
    base_url: baseUrl.optional(),
    /** Aster's UNVERIFIED signing details (README, "Live venues"). */
    aster: mapping({
      include_user: bool.default(ASTER_SIGNING_DEFAULTS.includeUser),
      signature_prefix_0x: bool.default(ASTER_SIGNING_DEFAULTS.signaturePrefix0x),
      sign_encoding: oneOf(['urlencoded', 'raw'] as const, 'signing encoding').default(ASTER_SIGNING_DEFAULTS.signEncoding),
    }).optional(),
    ...credentialFields,
  }).superRefine((exchange, ctx) => {
    for (const p of credentialProblems(exchange.type, exchange)) {
      ctx.addIssue({ code: 'custom', path: [p.field], message: p.message, input: `\${${p.name}}` });
    }
  }),
  strategy: mapping({
    initial_balance: initialBalance,
    /** Defaults to the arena file's system.scan_interval_minutes. */
    scan_interval_minutes: scanIntervalMinutes.optional(),
    default_coins: symbols.default(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT', 'DOGEUSDT', 'XRPUSDT']),
    trading_style: oneOf(TRADING_STYLES, 'trading style').default('balanced'),
    risk_management: RiskManagementSchema.prefault({}),
  }),
});
export type AgentFile = z.output<typeof AgentFileSchema>;

// ---------------------------------------------------------------------------------------------
// The resolved AgentConfig (camelCase, no defaults: every field must be present).

const AgentConfigSchema = mapping({
  id: agentId,
  name: text('a display name'),
  description: z.string({ error: 'expected a text' }),
  decisionMaker: mapping({
    provider: oneOf(DECISION_PROVIDERS, 'provider'),
    model: text('a model id (or a baseline name for rule_based)'),
    temperature,
    maxTokens,
    baseUrl: baseUrl.optional(),
    apiKeyEnv: envName.optional(),
    timeoutSeconds: timeoutSeconds.optional(),
    priceInputPerMillion: pricePerMillion.optional(),
    priceOutputPerMillion: pricePerMillion.optional(),
    maxConsecutiveFailures: consecutiveFailures.optional(),
    promptSections: promptSections.optional(),
  }).superRefine((dm, ctx) => {
    for (const p of decisionMakerProblems({
      provider: dm.provider,
      model: dm.model,
      apiKeyEnv: dm.apiKeyEnv,
      hasBaseUrl: dm.baseUrl !== undefined,
    })) {
      ctx.addIssue({ code: 'custom', path: [p.field === 'apiKey' ? 'apiKeyEnv' : p.field], message: p.message, input: p.value });
    }
  }),
  exchange: mapping({
    type: oneOf(VENUE_TYPES, 'venue'),
    account: text('an account name'),
    testnet: bool,
    takerFeeRate: feeRate,
    slippageRate: feeRate,
    baseUrl: baseUrl.optional(),
    credentialEnv: mapping(
      Object.fromEntries(CREDENTIAL_FIELDS.map((f) => [f, envName.optional()])) as Record<CredentialField, z.ZodOptional<typeof envName>>,
    ).optional(),
    asterSigning: mapping({
      includeUser: bool,
      signaturePrefix0x: bool,
      signEncoding: oneOf(['urlencoded', 'raw'] as const, 'signing encoding'),
    }).optional(),
  }).superRefine((exchange, ctx) => {
    for (const p of credentialProblems(exchange.type, exchange.credentialEnv)) {
      ctx.addIssue({ code: 'custom', path: ['credentialEnv', p.field], message: p.message, input: p.name });
    }
  }),
  strategy: mapping({
    initialBalance,
    scanIntervalMinutes,
    symbols,
    tradingStyle: oneOf(TRADING_STYLES, 'trading style'),
    risk: mapping({
      maxPositions,
      maxLeverage: leverage,
      maxPositionSizePct: percent,
      maxTotalPositionPct: percent,
      maxSingleTradePct: percent,
      maxSingleTradeWithPositionsPct: percent,
      maxDailyLossPct: percent,
      maxMarginUsagePct: percent,
      stopLossPct: positiveNumber(100),
      takeProfitPct: positiveNumber(1000),
      majorSymbols: majorSymbols.optional(),
      majorMaxLeverage: leverage.optional(),
      altcoinMaxLeverage: leverage.optional(),
      majorMaxNotionalMultiple: notionalMultiple.optional(),
      altcoinMaxNotionalMultiple: notionalMultiple.optional(),
      minRiskReward: riskReward.optional(),
      maxDrawdownPct: percent.optional(),
      stopLossCooldownMinutes: minutes.optional(),
      maxOpensPerHour: opensPerHour.optional(),
      minHoldingMinutes: minutes.optional(),
      onePositionPerSymbol: bool.optional(),
      maxStopLossPct: positiveNumber(100).optional(),
    }).superRefine((risk, ctx) => {
      const problem = defaultProtectionProblem(risk.stopLossPct, risk.takeProfitPct, risk.minRiskReward);
      if (problem) ctx.addIssue({ code: 'custom', path: ['takeProfitPct'], message: problem, input: risk.takeProfitPct });
    }),
  }),
});

// The schema's output type must stay assignable to the contract in types.ts.
const schemaMatchesContract: (value: z.output<typeof AgentConfigSchema>) => AgentConfig = (value) => value;
void schemaMatchesContract;

/** Validates an already-resolved AgentConfig; throws a ConfigError naming the first bad field. */
export function validateAgentConfig(value: unknown, source = 'agent config'): AgentConfig {
  return parseConfig(AgentConfigSchema, value, source, source);
}

// ---------------------------------------------------------------------------------------------
// Turning zod issues into one-line messages.

/** Parses `value` with `schema`, or throws a ConfigError for the first issue (`label` is how the file is named in the message). */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, file: string, label: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  // Unknown keys first: a typo usually also shows up as "required field is missing" for the real name.
  const issues = [...result.error.issues].sort((a, b) => rank(a) - rank(b));
  const first = issues[0]!;
  const { path, value: bad, detail } = describeIssue(first, schema);
  const more = issues.length > 1 ? ` (+${issues.length - 1} more ${issues.length === 2 ? 'issue' : 'issues'})` : '';
  throw new ConfigError(file, path, bad, `${label}: ${path ? `${path}: ` : ''}${detail}${more}`);
}

function rank(issue: z.core.$ZodIssue): number {
  return issue.code === 'unrecognized_keys' ? 0 : 1;
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType): { path: string; value: unknown; detail: string } {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const path = formatPath([...issue.path, key]);
    const detail = `unknown field${hintFor(key, keysAt(schema, issue.path))}`;
    // A misspelt credential field may hold a literal secret: keep it out of the error.
    const value = /key|secret|token|password|private/i.test(key)
      ? '<redacted>'
      : (issue.input as Record<string, unknown> | undefined)?.[key];
    return { path, value, detail };
  }
  const path = formatPath(issue.path);
  const input = issue.input;
  if (issue.code === 'invalid_type' && input === undefined) {
    return { path, value: undefined, detail: 'required field is missing' };
  }
  if (issue.message === LITERAL_SECRET_MESSAGE) {
    return { path, value: '<redacted>', detail: issue.message };
  }
  const detail = issue.message.startsWith('expected ') ? `${issue.message}, got ${show(input)}` : issue.message;
  return { path, value: input, detail };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function show(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length ? 'a list' : 'an empty list';
  if (typeof value === 'object') return 'a mapping';
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
}

/** " (did you mean "x"?)" when an allowed key of the same mapping is a near miss of `key`. */
function hintFor(key: string, allowed: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of allowed) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4)) ? ` (did you mean "${best}"?)` : '';
}

type SchemaDef = Record<string, unknown> & { type?: string };
const defOf = (schema: unknown): SchemaDef | undefined => (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;

/** The keys of the mapping `schema` expects at `path` (unwrapping defaults, optionals and pipes). */
function keysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let def = defOf(schema);
  for (let i = 0; def;) {
    if (def.type === 'object' && i < path.length) {
      def = defOf((def.shape as Record<string, unknown>)[String(path[i++])]);
      continue;
    }
    if (def.type === 'array' && i < path.length) {
      def = defOf(def.element);
      i++;
      continue;
    }
    if (def.type === 'object') return Object.keys(def.shape as object);
    // A channel (a discriminated union): the keys of every kind, for the near-miss hint.
    if (def.type === 'union') return [...new Set((def.options as unknown[]).flatMap((option) => keysAt(option, path.slice(i))))];
    const inner = def.innerType ?? def.out ?? def.in;
    if (!inner) return [];
    def = defOf(inner);
  }
  return [];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
