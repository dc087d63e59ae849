/**
 * Reads the arena file and its agent files into an `ArenaConfig`: `${NAME}` / `${NAME:-default}`
 * interpolation, validation with one-line `ConfigError`s, and the decision of which agents can run.
 * Credentials stay in the environment: the result only names the variables that hold them.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  AgentFileSchema,
  ArenaFileSchema,
  CREDENTIAL_FIELDS,
  ConfigError,
  formatPath,
  parseConfig,
  riskLimitsFromFile,
  validateAgentConfig,
  type AgentFile,
  type ArenaFile,
} from './schema';
import { requiredCredentialEnv } from '../venues/credentials';
import {
  ASTER_SIGNING_DEFAULTS,
  type AgentConfig,
  type AgentEntry,
  type AlertChannelConfig,
  type AlertsConfig,
  type ArenaConfig,
  type CredentialField,
} from './types';

export { ConfigError } from './schema';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/** `ARENA_CONFIG` if set (relative to the working directory), else the shipped `config/arena.yaml`. */
export function resolveArenaConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ARENA_CONFIG ? path.resolve(env.ARENA_CONFIG) : path.join(PROJECT_ROOT, 'config', 'arena.yaml');
}

export function loadArenaConfig(file: string, env: NodeJS.ProcessEnv = process.env): ArenaConfig {
  const arenaFile = new SourceFile(path.resolve(file));
  const arena = parseConfig(ArenaFileSchema, interpolate(arenaFile.read(), env, arenaFile), arenaFile.file, arenaFile.label);
  rejectDuplicateIds(arena, arenaFile);

  const agents = arena.agents.map((entry, index): AgentEntry => {
    const configFile = path.resolve(path.dirname(arenaFile.file), entry.config_file);
    const base = { id: entry.id, name: entry.name ?? entry.id, enabled: entry.enabled, configFile };
    // A disabled agent's file may be a draft, so it is not read at all.
    if (!entry.enabled) return { ...base, skipReason: `disabled in ${path.basename(arenaFile.file)}` };

    if (!fs.existsSync(configFile)) {
      throw arenaFile.error(`agents[${index}].config_file`, entry.config_file, `file not found: ${displayPath(configFile)}`);
    }
    const source = new SourceFile(configFile);
    const loaded = loadAgentFile(source, entry, arena, arenaFile, env);
    if (loaded.agent.exchange.type !== 'paper' && arena.system.market_data === 'replay') {
      throw source.error(
        'exchange.type',
        loaded.agent.exchange.type,
        `a live venue trades at today's prices, so it needs live market data: set system.market_data: live in ${arenaFile.label} ` +
          '(or trade this agent on the paper venue)',
      );
    }
    const missing = missingVariable([...loaded.credentials, ...requiredCredentialEnv(loaded.agent.exchange)], env);
    return missing
      ? { ...base, name: entry.name ?? loaded.agent.name, skipReason: `${missing} is not set` }
      : { ...base, name: entry.name ?? loaded.agent.name, config: loaded.agent };
  });

  return {
    file: arenaFile.file,
    system: {
      marketData: arena.system.market_data,
      liveMarketData: {
        venue: arena.system.market_data_venue,
        testnet: arena.system.market_data_testnet,
        ...(arena.system.market_data_base_url !== undefined && { baseUrl: arena.system.market_data_base_url }),
      },
      replayCycleSeconds: arena.system.replay_cycle_seconds,
      ...replayDataDir(arena.system.replay_data_dir, arenaFile, env),
      logLevel: arena.system.log_level,
      tradingLock: arena.system.trading_lock,
    },
    api: { host: arena.api.host, port: arena.api.port },
    agents: applyConcurrencyLimit(agents, arena.system.max_concurrent_agents, path.basename(arenaFile.file)),
    alerts: alertsConfig(arena.alerts, env),
  };
}

/** The alerts section: a channel whose variables are not all set does not run (like an agent without its key). */
function alertsConfig(alerts: ArenaFile['alerts'], env: NodeJS.ProcessEnv): AlertsConfig {
  const channels: AlertChannelConfig[] = [];
  const skippedChannels: AlertsConfig['skippedChannels'] = [];
  for (const file of alerts.channels) {
    const name = file.name ?? file.type;
    const channel: AlertChannelConfig =
      file.type === 'webhook'
        ? { type: 'webhook', name, url: file.url, maxPerMinute: file.max_per_minute }
        : {
            type: 'telegram',
            name,
            botTokenEnv: file.bot_token,
            chatId: file.chat_id,
            apiBaseUrl: file.api_base_url,
            maxPerMinute: file.max_per_minute,
          };
    const variables = channel.type === 'webhook' ? [channel.url] : [{ env: channel.botTokenEnv }, channel.chatId];
    const missing = missingVariable(
      variables.flatMap((v) => ('env' in v ? [v.env] : [])),
      env,
    );
    if (missing) skippedChannels.push({ name, reason: `${missing} is not set` });
    else channels.push(channel);
  }
  return {
    channels,
    skippedChannels,
    thresholds: {
      failingCycles: alerts.failing_cycles,
      venueErrorsPer10Minutes: alerts.venue_errors_per_10_minutes,
      equityDropPctPerHour: alerts.equity_drop_pct_per_hour,
      noCycleMinutes: alerts.no_cycle_minutes,
    },
    dailySummary: alerts.daily_summary,
    checkIntervalSeconds: alerts.check_interval_seconds,
  };
}

/**
 * The replay's data folder: the arena file's `system.replay_data_dir` (relative to that file), else
 * ARENA_REPLAY_DATA (relative to the working directory), else the bundled data. It must exist.
 */
function replayDataDir(field: string | undefined, arenaFile: SourceFile, env: NodeJS.ProcessEnv): { replayDataDir?: string } {
  const fromEnv = env.ARENA_REPLAY_DATA?.trim();
  const dir = field !== undefined ? path.resolve(path.dirname(arenaFile.file), field) : fromEnv ? path.resolve(fromEnv) : undefined;
  if (dir === undefined) return {};
  if (!fs.existsSync(path.join(dir, 'candles'))) {
    const where = field !== undefined ? 'system.replay_data_dir' : '';
    const message = `${dir} has no candles/ folder (expected candles/{SYMBOL}-3m.csv or .csv.gz and funding/{SYMBOL}-funding-8h.csv)`;
    if (field !== undefined) throw arenaFile.error(where, field, message);
    throw new ConfigError(arenaFile.file, '', fromEnv, `ARENA_REPLAY_DATA: ${message}`);
  }
  return { replayDataDir: dir };
}

/** One YAML file and how it is named in messages. */
/** One YAML file being read, for errors that name it (and the field at fault). */
export class SourceFile {
  readonly label: string;
  constructor(readonly file: string) {
    this.label = displayPath(file);
  }

  error(fieldPath: string, value: unknown, detail: string): ConfigError {
    return new ConfigError(this.file, fieldPath, value, `${this.label}: ${fieldPath ? `${fieldPath}: ` : ''}${detail}`);
  }

  read(): unknown {
    let source: string;
    try {
      source = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read the file (${(err as Error).message})`;
      throw this.error('', undefined, reason);
    }
    const doc = YAML.parseDocument(source, { prettyErrors: true, uniqueKeys: true });
    const syntaxError = doc.errors[0];
    if (syntaxError) {
      const where = syntaxError.linePos ? `line ${syntaxError.linePos[0].line}, column ${syntaxError.linePos[0].col}: ` : '';
      throw this.error('', undefined, `${where}invalid YAML: ${syntaxError.message.split(' at line ')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) throw this.error('', undefined, 'the file is empty');
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw this.error('', value, 'expected a mapping of "key: value" lines at the top level');
    }
    return value;
  }
}

function displayPath(absolute: string): string {
  const relative = path.relative(process.cwd(), absolute);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
}

function rejectDuplicateIds(arena: ArenaFile, arenaFile: SourceFile): void {
  const firstIndex = new Map<string, number>();
  arena.agents.forEach((agent, index) => {
    const earlier = firstIndex.get(agent.id);
    if (earlier !== undefined) {
      throw arenaFile.error(`agents[${index}].id`, agent.id, `duplicate agent id ${JSON.stringify(agent.id)} (also agents[${earlier}])`);
    }
    firstIndex.set(agent.id, index);
  });
}

interface LoadedAgent {
  agent: AgentConfig;
  /** Variables the agent needs at run time: its LLM key and, on a live venue, its credentials. */
  credentials: string[];
}

function loadAgentFile(
  source: SourceFile,
  entry: ArenaFile['agents'][number],
  arena: ArenaFile,
  arenaFile: SourceFile,
  env: NodeJS.ProcessEnv,
): LoadedAgent {
  const parsed: AgentFile = parseConfig(AgentFileSchema, interpolate(source.read(), env, source), source.file, source.label);
  if (parsed.agent.id !== entry.id) {
    throw source.error(
      'agent.id',
      parsed.agent.id,
      `expected ${JSON.stringify(entry.id)} (the id given in ${arenaFile.label}), got ${JSON.stringify(parsed.agent.id)}`,
    );
  }
  const { exchange, llm, strategy } = parsed;
  const account = exchange.account ?? parsed.agent.id;
  rejectFieldsForOtherVenues(exchange, source);
  const venueCredentials = exchange.type === 'paper' ? [] : checkCredentialSuffixes(exchange, account, source);

  const agent = validateAgentConfig(
    {
      id: parsed.agent.id,
      name: parsed.agent.name ?? entry.name ?? entry.id,
      description: parsed.agent.description,
      decisionMaker: {
        provider: llm.provider,
        model: llm.model,
        temperature: llm.temperature,
        maxTokens: llm.max_tokens,
        timeoutSeconds: llm.timeout_seconds,
        priceInputPerMillion: llm.price_input_per_million,
        priceOutputPerMillion: llm.price_output_per_million,
        maxConsecutiveFailures: llm.max_consecutive_failures,
        promptSections: llm.prompt_sections,
        ...(llm.base_url !== undefined && { baseUrl: llm.base_url }),
        ...(llm.api_key !== undefined && { apiKeyEnv: llm.api_key }),
      },
      exchange: {
        type: exchange.type,
        account,
        testnet: exchange.testnet,
        takerFeeRate: exchange.taker_fee_rate,
        slippageRate: exchange.slippage_rate,
        ...(exchange.base_url !== undefined && { baseUrl: exchange.base_url }),
        ...(exchange.type !== 'paper' && { credentialEnv: credentialEnv(exchange) }),
        ...(exchange.type === 'aster' && {
          asterSigning: {
            includeUser: exchange.aster?.include_user ?? ASTER_SIGNING_DEFAULTS.includeUser,
            signaturePrefix0x: exchange.aster?.signature_prefix_0x ?? ASTER_SIGNING_DEFAULTS.signaturePrefix0x,
            signEncoding: exchange.aster?.sign_encoding ?? ASTER_SIGNING_DEFAULTS.signEncoding,
          },
        }),
      },
      strategy: {
        initialBalance: strategy.initial_balance,
        scanIntervalMinutes: strategy.scan_interval_minutes ?? arena.system.scan_interval_minutes,
        symbols: strategy.default_coins,
        tradingStyle: strategy.trading_style,
        risk: riskLimitsFromFile(strategy.risk_management),
      },
    },
    source.label,
  );

  const llmKey = llm.provider !== 'rule_based' && llm.api_key !== undefined ? [llm.api_key] : [];
  return { agent, credentials: [...llmKey, ...venueCredentials] };
}

/** A field meant for another venue would be silently ignored: say so instead. */
function rejectFieldsForOtherVenues(exchange: AgentFile['exchange'], source: SourceFile): void {
  if (exchange.aster !== undefined && exchange.type !== 'aster') {
    throw source.error('exchange.aster', exchange.type, `Aster signing options do not apply to type ${exchange.type} (remove the block)`);
  }
  if (exchange.type !== 'paper') return;
  if (exchange.base_url !== undefined) {
    throw source.error('exchange.base_url', exchange.base_url, 'the paper venue has no endpoint (remove base_url, or set a live type)');
  }
  const credential = CREDENTIAL_FIELDS.find((f) => exchange[f] !== undefined);
  if (credential) throw source.error(`exchange.${credential}`, '<redacted>', 'the paper venue takes no credentials (remove the field)');
}

/**
 * A live venue reads its credentials from variables suffixed with the account name (see
 * ExchangeConfig.account), so a reference that does not carry that suffix would be silently ignored.
 */
function checkCredentialSuffixes(exchange: AgentFile['exchange'], account: string, source: SourceFile): string[] {
  const suffix = `_${account.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}`;
  const names: string[] = [];
  for (const field of CREDENTIAL_FIELDS) {
    const name = exchange[field];
    if (name === undefined) continue;
    if (!name.toUpperCase().endsWith(suffix)) {
      throw source.error(
        `exchange.${field}`,
        `\${${name}}`,
        `\${${name}} does not end in ${suffix}: the venue reads credentials by exchange.account (${JSON.stringify(account)}), ` +
          "so set exchange.account to the variables' suffix or rename the variable",
      );
    }
    names.push(name);
  }
  return names;
}

function credentialEnv(exchange: AgentFile['exchange']): Partial<Record<CredentialField, string>> {
  return Object.fromEntries(CREDENTIAL_FIELDS.filter((f) => exchange[f] !== undefined).map((f) => [f, exchange[f]]));
}

function missingVariable(names: string[], env: NodeJS.ProcessEnv): string | undefined {
  return names.find((name) => !env[name]);
}

function applyConcurrencyLimit(agents: AgentEntry[], limit: number | undefined, arenaName: string): AgentEntry[] {
  if (limit === undefined) return agents;
  let running = 0;
  return agents.map((agent) => {
    if (!agent.config) return agent;
    if (++running <= limit) return agent;
    const { config: _dropped, ...rest } = agent;
    return { ...rest, skipReason: `max_concurrent_agents (${limit}) reached in ${arenaName}` };
  });
}

// ---------------------------------------------------------------------------------------------
// ${NAME} and ${NAME:-default} in string values.

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_REFERENCE = /^\$\{[^}]*\}$/;
const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;
/** Variables that look like secrets may only be referenced from credential fields. */
const SECRET_LOOKING_NAME = /(^|_)(KEY|APIKEY|SECRET|TOKEN|PASSWORD|PASSPHRASE|PRIVATEKEY)(_|$)/i;

/** Credential fields keep their `${NAME}` text: the schema turns it into the variable's name, never its value. */
function isCredentialPath(keys: readonly (string | number)[]): boolean {
  return (
    keys.length === 2 &&
    ((keys[0] === 'llm' && keys[1] === 'api_key') ||
      (keys[0] === 'exchange' && (CREDENTIAL_FIELDS as readonly unknown[]).includes(keys[1])))
  );
}

/** An alert channel's bot token, and its URL or chat id when written as one `${NAME}`, keep the reference too. */
function isAlertReference(keys: readonly (string | number)[], value: string): boolean {
  if (keys.length !== 4 || keys[0] !== 'alerts' || keys[1] !== 'channels') return false;
  return keys[3] === 'bot_token' || ((keys[3] === 'url' || keys[3] === 'chat_id') && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value.trim()));
}

function interpolate(value: unknown, env: NodeJS.ProcessEnv, source: SourceFile, keys: (string | number)[] = []): unknown {
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, source, [...keys, i]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, source, [...keys, k])]));
  }
  if (typeof value !== 'string' || !value.includes('${') || isCredentialPath(keys) || isAlertReference(keys, value)) return value;

  const fieldPath = formatPath(keys);
  const result = value.replace(REFERENCE, (_whole, name: string, fallback: string | undefined) => {
    if (SECRET_LOOKING_NAME.test(name)) {
      throw source.error(
        fieldPath,
        value,
        `\${${name}} looks like a secret; only llm.api_key and the exchange credential fields may reference it`,
      );
    }
    const set = env[name];
    if (fallback !== undefined) return set ? set : fallback; // like the shell: an empty value takes the default
    if (set === undefined) {
      throw source.error(fieldPath, value, `environment variable ${name} is not set (write \${${name}:-default} to give a default)`);
    }
    return set;
  });
  if (value.replace(REFERENCE, '').includes('${')) {
    throw source.error(fieldPath, value, 'malformed reference (expected ${NAME} or ${NAME:-default})');
  }
  // A value that is a single reference takes the type its text spells, so `port: ${PORT:-8000}` is a number.
  if (WHOLE_REFERENCE.test(value)) {
    if (NUMBER_TEXT.test(result)) return Number(result);
    if (result === 'true' || result === 'false') return result === 'true';
  }
  return result;
}
