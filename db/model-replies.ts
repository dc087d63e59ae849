/** The `model_replies` table: model replies by the hash of what was asked (model-replies/key.ts). */
import type { Kysely } from 'kysely';
import type { ModelReplyStore, StoredReply } from '../model-replies/key';
import type { Database } from './schema';

export async function findModelReply(db: Kysely<Database>, key: string): Promise<StoredReply | null> {
  const row = await db.selectFrom('model_replies').selectAll().where('key', '=', key).executeTakeFirst();
  return row ? { key: row.key, provider: row.provider, model: row.model, promptSha256: row.prompt_sha256, reply: row.reply } : null;
}

/** Stores a reply unless one is stored under its key already (the first one stands). */
export async function saveModelReply(db: Kysely<Database>, entry: StoredReply): Promise<void> {
  await db
    .insertInto('model_replies')
    .values({
      key: entry.key,
      provider: entry.provider,
      model: entry.model,
      prompt_sha256: entry.promptSha256,
      reply: JSON.stringify(entry.reply),
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

export function postgresReplyStore(db: Kysely<Database>): ModelReplyStore {
  return { get: (key) => findModelReply(db, key), put: (entry) => saveModelReply(db, entry) };
}
