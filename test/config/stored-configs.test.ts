import assert from 'node:assert/strict';
import { StoredConfigs } from '../../arena-config/stored-configs';
import { configDigest, storeAgentConfig } from '../../db/agent-configs';
import { paperAgentConfig } from '../fixtures/agent-config';
import { type MigratedTestDatabase, createMigratedTestDatabase } from '../support/database';

/** The configs cycles name by digest: stored once per content, read back whole, never stale. */
describe('stored agent configs (agent_configs)', () => {
  let database: MigratedTestDatabase;
  before(async () => {
    database = await createMigratedTestDatabase(2);
  });
  after(async () => database.close());

  const config = paperAgentConfig('stored-a', 'Stored A', {
    provider: 'rule_based',
    model: 'ema_trend',
    temperature: 0.15,
    maxTokens: 4000,
  });

  it('stores a config once under the digest of its content; a changed config gets a row of its own', async () => {
    const digest = await storeAgentConfig(database.db, config);
    assert.equal(await storeAgentConfig(database.db, structuredClone(config)), digest);
    const tuned = { ...config, strategy: { ...config.strategy, risk: { ...config.strategy.risk, maxPositions: 1 } } };
    const tunedDigest = await storeAgentConfig(database.db, tuned);
    assert.notEqual(tunedDigest, digest);
    assert.match(digest, /^[0-9a-f]{16}$/);
    const rows = await database.db.selectFrom('agent_configs').selectAll().where('agent_id', '=', config.id).execute();
    assert.deepEqual(Object.fromEntries(rows.map((r) => [r.digest, r.config.strategy.risk.maxPositions])), {
      [digest]: config.strategy.risk.maxPositions,
      [tunedDigest]: 1,
    });
  });

  it('reads a config by digest, says which one is missing, and finds it once it is stored', async () => {
    const configs = new StoredConfigs(database.db);
    const other = { ...config, id: 'stored-b', name: 'Stored B' };
    const ref = { digest: configDigest(other) };
    await assert.rejects(configs.of(other.id, ref), /agent stored-b: no config stored under digest [0-9a-f]{16} \(agent_configs\)/);
    await storeAgentConfig(database.db, other);
    assert.deepEqual(await configs.of(other.id, ref), other, 'a failed read is not remembered');
    assert.equal(await configs.of(other.id, ref), await configs.of(other.id, ref), 'read once, then from memory');
    await assert.rejects(configs.of('someone-else', ref), /agent someone-else: no config/, 'a digest belongs to its agent');
    assert.equal(await configs.of(other.id, { inline: config }), config, 'an inline config (older cycles) as it came');
  });
});
