/**
 * Model replies in a folder, for a backtest with no Postgres: one JSON file per key
 * (`<dir>/<first two hex digits>/<key>.json`), written to a temporary name and renamed, so a file
 * is there whole or not at all.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelReplyStore, StoredReply } from './key';

export class FileReplyStore implements ModelReplyStore {
  constructor(readonly dir: string) {}

  async get(key: string): Promise<StoredReply | null> {
    const text = await readFile(this.file(key), 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (text === null) return null;
    try {
      const entry = JSON.parse(text) as StoredReply;
      if (entry.key !== key) throw new Error(`holds key ${String(entry.key)}`);
      return entry;
    } catch (err) {
      throw new Error(
        `model reply store: ${this.file(key)} is damaged (${err instanceof Error ? err.message : String(err)}); delete it to ask the model again`,
      );
    }
  }

  async put(entry: StoredReply): Promise<void> {
    const file = this.file(entry.key);
    await mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(entry));
    await rename(temporary, file);
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`model reply store: bad key ${JSON.stringify(key)}`);
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
