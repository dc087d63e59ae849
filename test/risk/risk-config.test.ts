import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadArenaConfig } from '../../arena-config/load';
import { AgentFileSchema, ConfigError, parseConfig, riskLimitsFromFile, validateAgentConfig } from '../../arena-config/schema';
import { type AgentConfig, RISK_LIMIT_DEFAULTS, type RiskLimits, withRiskDefaults } from '../../arena-config/types';
import { evaluateDecisions } from '../../risk/engine';
import type { SymbolRules } from '../../venues/venue';
import { paperAgentConfig } from '../fixtures/agent-config';

const CONFIG = path.resolve(__dirname, '../../config');
const BTC: SymbolRules = { symbol: 'BTCUSDT', tickSize: '0.1', stepSize: '0.001', minQty: '0.001', minNotional: '100', maxLeverage: 125 };

function agentFile(id: string) {
  const file = path.join(CONFIG, 'agents', `${id}.yaml`);
  return parseConfig(AgentFileSchema, YAML.parse(fs.readFileSync(file, 'utf8')), file, `${id}.yaml`);
}

function riskManagement(yaml: string): RiskLimits {
  const doc = {
    agent: { id: 'alpha' },
    llm: { provider: 'rule_based', model: 'ema_trend' },
    exchange: { type: 'paper' },
    strategy: { initial_balance: 10_000, risk_management: YAML.parse(yaml) ?? {} },
  };
  return riskLimitsFromFile(parseConfig(AgentFileSchema, doc, 'alpha.yaml', 'alpha.yaml').strategy.risk_management);
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('risk limits in the config', () => {
  it('shows the real defaults in the annotated example, ema-trend.yaml', () => {
    const written = riskLimitsFromFile(agentFile('ema-trend').strategy.risk_management);
    const defaults = withRiskDefaults(riskManagement(''));
    assert.deepEqual(written, defaults);
    assert.deepEqual(Object.keys(written).sort(), Object.keys(defaults).sort(), 'every limit is documented');
  });

  it('keeps every shipped agent file valid', () => {
    const env = Object.fromEntries(['DEEPSEEK', 'QWEN', 'ANTHROPIC', 'OPENAI', 'XAI', 'GOOGLE'].map((p) => [`${p}_API_KEY`, 'k']));
    const arena = loadArenaConfig(path.join(CONFIG, 'arena.yaml'), env);
    for (const entry of arena.agents) assert.ok(entry.config, `${entry.id}: ${entry.skipReason}`);
  });

  it('lets the btc-buy-hold benchmark put about 95 % of the account into BTC at 1x', () => {
    const limits = riskLimitsFromFile(agentFile('btc-buy-hold').strategy.risk_management);
    const [verdict] = evaluateDecisions(
      {
        now: Date.UTC(2024, 0, 1),
        account: { equity: 10_000, available: 10_000, marginUsed: 0, unrealizedPnl: 0 },
        positions: [],
        prices: { BTCUSDT: 42_000 },
        rules: { BTCUSDT: BTC },
        limits,
        takerFeeRate: 0.0005,
        safeMode: false,
        dayStartEquity: 10_000,
        peakEquity: 10_000,
        lastStopLossAt: {},
        opensLastHour: 0,
      },
      [{ action: 'open_long', symbol: 'BTCUSDT', leverage: 1, sizeUsd: 10_000, reason: 'benchmark entry' }],
    );
    assert.ok(verdict!.order, verdict!.reason);
    assert.equal(verdict!.order.leverage, 1);
    const value = Number(verdict!.order.quantity) * 42_000;
    assert.ok(value > 9400 && value <= 9500, `position value ${value}`);
  });

  it('reads the optional limits, in snake_case, only when they are set', () => {
    assert.deepEqual(Object.keys(riskManagement('')).length, 10);
    const limits = riskManagement('major_symbols: [BTCUSDT]\nmin_risk_reward: 1.5\nmax_opens_per_hour: 4\none_position_per_symbol: false');
    assert.deepEqual(limits.majorSymbols, ['BTCUSDT']);
    assert.equal(limits.minRiskReward, 1.5);
    assert.equal(limits.maxOpensPerHour, 4);
    assert.equal(limits.onePositionPerSymbol, false);
    assert.equal(withRiskDefaults(limits).maxDrawdownPct, RISK_LIMIT_DEFAULTS.maxDrawdownPct);
  });

  it('refuses out-of-range values, naming the field', () => {
    const err = configError(() => riskManagement('major_max_leverage: 200'));
    assert.equal(err.path, 'strategy.risk_management.major_max_leverage');
    assert.match(err.message, /expected a whole number from 1 to 125, got 200/);
    assert.equal(configError(() => riskManagement('major_symbols: [btc]')).path, 'strategy.risk_management.major_symbols[0]');
    assert.equal(configError(() => riskManagement('max_opens_per_hour: 0')).path, 'strategy.risk_management.max_opens_per_hour');
  });

  it('refuses default stop-loss and take-profit that would fail the risk-reward check themselves', () => {
    const err = configError(() => riskManagement('stop_loss_pct: 5\ntake_profit_pct: 8'));
    assert.equal(err.path, 'strategy.risk_management.take_profit_pct');
    assert.match(err.message, /take-profit 8 % is less than min risk-reward 2 x stop-loss 5 %/);
    assert.equal(riskManagement('stop_loss_pct: 5\ntake_profit_pct: 8\nmin_risk_reward: 1.5').takeProfitPct, 8);
  });

  it('accepts resolved configs recorded before the optional limits existed, and checks them when present', () => {
    const config: AgentConfig = paperAgentConfig('alpha', 'Alpha', {
      provider: 'rule_based',
      model: 'ema_trend',
      temperature: 0.15,
      maxTokens: 4000,
    });
    assert.deepEqual(validateAgentConfig(structuredClone(config)), config);
    const withNew = structuredClone(config);
    withNew.strategy.risk = { ...withNew.strategy.risk, maxDrawdownPct: 20, majorSymbols: ['BTCUSDT'] };
    assert.deepEqual(validateAgentConfig(structuredClone(withNew)), withNew);
    withNew.strategy.risk.altcoinMaxNotionalMultiple = 0;
    assert.equal(configError(() => validateAgentConfig(withNew)).path, 'strategy.risk.altcoinMaxNotionalMultiple');
  });
});
