import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chanceConfigs, chanceKey, placeAmong } from '../../backtest/chance';
import { BacktestModels, BudgetExceeded } from '../../backtest/models';
import { csv } from '../../backtest/output';
import { esc } from '../../backtest/report-html';
import { barsBetween, parseMarketTime } from '../../backtest/window';
import { loadArenaConfig } from '../../arena-config/load';
import type { DecisionMakerConfig } from '../../arena-config/types';
import { REPLAY_BAR_MS } from '../../market/replay';
import { FileReplyStore } from '../../model-replies/file-store';
import { modelReplyKey } from '../../model-replies/key';

const FIRST = Date.UTC(2023, 6, 30, 11, 18);
const WINDOW = { firstMarketTime: FIRST, lastMarketTime: FIRST + 99 * REPLAY_BAR_MS, cycles: 100 };

describe('backtest pieces', () => {
  describe('the window', () => {
    it('is every bar of the data by default, or those between --from and --to (inclusive, on the bar grid)', () => {
      assert.equal(barsBetween(WINDOW).bars.length, 100);
      const part = barsBetween(WINDOW, FIRST + 60_000, FIRST + 10 * REPLAY_BAR_MS);
      assert.equal(part.from, FIRST + REPLAY_BAR_MS, 'the first bar at or after --from');
      assert.equal(part.to, FIRST + 10 * REPLAY_BAR_MS);
      assert.equal(part.bars.length, 10);
      assert.ok(part.bars.every((b, i) => i === 0 || b - part.bars[i - 1]! === REPLAY_BAR_MS));
    });

    it('refuses times outside the data, a --from after --to, and what is not a date', () => {
      assert.throws(() => barsBetween(WINDOW, FIRST - 1), /--from 2023-07-30T11:17:59.999Z is outside the data/);
      assert.throws(() => barsBetween(WINDOW, undefined, FIRST + 100 * REPLAY_BAR_MS), /--to .* is outside the data/);
      assert.throws(() => barsBetween(WINDOW, FIRST + 5 * REPLAY_BAR_MS, FIRST + 2 * REPLAY_BAR_MS), /--from .* is after --to/);
      assert.throws(() => barsBetween(WINDOW, FIRST + 60_000, FIRST + 120_000), /no bar between --from and --to/);
      assert.equal(parseMarketTime('2023-08-01', '--from'), Date.UTC(2023, 7, 1));
      assert.equal(parseMarketTime('2023-08-01T12:30+02:00', '--to'), Date.UTC(2023, 7, 1, 10, 30));
      assert.throws(() => parseMarketTime('yesterday', '--from'), /--from yesterday: expected a date \(2026-11-03\)/);
      assert.throws(() => parseMarketTime('2023-08-01T12:30', '--to'), /with its zone/);
    });
  });

  describe('better than chance', () => {
    it('places a return among the runs: the share beaten, and p the share at least as good', () => {
      assert.deepEqual(placeAmong(5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { percentile: 40, pValue: 0.6, runs: 10 });
      assert.deepEqual(placeAmong(100, [1, 2, 3, 4]), { percentile: 100, pValue: 0, runs: 4 });
      assert.deepEqual(placeAmong(-100, [1, 2, 3, 4]), { percentile: 0, pValue: 1, runs: 4 });
    });

    it("twins keep the agent's account, symbols, cadence and limits, with a seeded coin for a brain", () => {
      const arena = loadArenaConfig(path.join(__dirname, '..', '..', 'config', 'arena.yaml'), {});
      const trend = arena.agents.find((a) => a.id === 'ema-trend')!.config!;
      const twins = chanceConfigs(trend, 3);
      assert.deepEqual(
        twins.map((t) => t.id),
        ['chance-1', 'chance-2', 'chance-3'],
      );
      for (const t of twins) {
        assert.deepEqual(t.decisionMaker, { provider: 'rule_based', model: 'random_entry', temperature: 0, maxTokens: 0 });
        assert.deepEqual(t.strategy, trend.strategy);
        assert.equal(t.exchange.account, t.id);
        assert.equal(chanceKey(t), chanceKey(trend));
      }
      const hold = arena.agents.find((a) => a.id === 'btc-buy-hold')!.config!;
      assert.notEqual(chanceKey(hold), chanceKey(trend));
    });
  });

  describe('the model reply store', () => {
    const dm: DecisionMakerConfig = {
      provider: 'deepseek',
      model: 'deepseek-chat',
      temperature: 0.1,
      maxTokens: 1000,
      priceInputPerMillion: 1,
      priceOutputPerMillion: 2,
    };
    const prompt = { system: 'rules', user: 'market' };

    it('keys a call by provider, model, prompt and sampling, not by endpoint or key variable', () => {
      const key = modelReplyKey(dm, prompt);
      assert.match(key, /^[0-9a-f]{64}$/);
      assert.equal(modelReplyKey({ ...dm, baseUrl: 'http://proxy', apiKeyEnv: 'DEEPSEEK_API_KEY_2' }, prompt), key);
      for (const other of [
        { ...dm, temperature: 0.2 },
        { ...dm, maxTokens: 999 },
        { ...dm, model: 'deepseek-reasoner' },
        { ...dm, provider: 'qwen' as const },
      ]) {
        assert.notEqual(modelReplyKey(other, prompt), key);
      }
      assert.notEqual(modelReplyKey(dm, { ...prompt, user: 'market!' }), key);
      assert.notEqual(modelReplyKey(dm, { system: 'rulesmarket', user: '' }), key);
    });

    it('keeps replies in a folder, whole or not at all, and says which file is damaged', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'replies-'));
      const store = new FileReplyStore(dir);
      const key = modelReplyKey(dm, prompt);
      assert.equal(await store.get(key), null);
      const entry = {
        key,
        provider: 'deepseek',
        model: 'deepseek-chat',
        promptSha256: 'x',
        reply: { raw: '{}', text: '{}', truncated: false, tokensIn: 1, tokensOut: 2, latencyMs: 3 },
      };
      await store.put(entry);
      assert.deepEqual(await store.get(key), entry);
      await writeFile(path.join(dir, key.slice(0, 2), `${key}.json`), '{"key": "trunc');
      await assert.rejects(store.get(key), new RegExp(`${key}\\.json is damaged .*delete it to ask the model again`));
      await assert.rejects(store.get('../../etc/passwd'), /bad key/);
    });

    it('stops before a call whose worst case would pass the budget, and never counts a stored reply', async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'replies-'));
      await mkdir(dir, { recursive: true });
      const store = new FileReplyStore(dir);
      // Worst case of this call: (ceil(11 / 2) tokens x $1 + 1000 x $2) / 1e6 = $0.002006.
      const models = new BacktestModels(store, { maxCostUsd: 0.002 });
      await assert.rejects(models.gateway.call(dm, prompt), (err: Error) => {
        assert.ok(err instanceof BudgetExceeded);
        assert.match(
          err.message,
          /--max-cost-usd 0.002: the next call to deepseek\/deepseek-chat could cost up to \$0\.0020 and \$0\.0000 is spent \(0 calls\)/,
        );
        return true;
      });
      assert.equal(models.spend.calls, 0);
      await store.put({
        key: modelReplyKey(dm, prompt),
        provider: 'deepseek',
        model: 'deepseek-chat',
        promptSha256: 'x',
        reply: { raw: 'r', text: 'r', truncated: false, tokensIn: 500, tokensOut: 100, latencyMs: 1 },
      });
      assert.equal((await models.gateway.call(dm, prompt)).text, 'r');
      assert.deepEqual(models.spend, { calls: 0, costUsd: 0, storedReplies: 1, storedCostUsd: (500 + 200) / 1e6 });
    });
  });

  describe('the files', () => {
    it('writes CSV by RFC 4180, times as ISO, nothing for null', () => {
      const text = csv<{ agent: string; openedAt: number; pnl: string | null; closeReason: string }>(
        ['agent', 'openedAt', 'pnl', 'closeReason'],
        [{ agent: 'a,b', openedAt: Date.UTC(2023, 7, 1), pnl: null, closeReason: 'said "no"\nthen' }],
      );
      assert.equal(text, 'agent,openedAt,pnl,closeReason\n"a,b",2023-08-01T00:00:00.000Z,,"said ""no""\nthen"\n');
    });

    it('escapes what the report shows', () => {
      assert.equal(esc('<script>"x" & \'y\'</script>'), '&#60;script&#62;&#34;x&#34; &#38; &#39;y&#39;&#60;/script&#62;');
    });
  });
});
