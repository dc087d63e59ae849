/** How skipped items and blocks are kept in the record: small enough for the decision log. */

/** A rejected item is kept as it came when its JSON is at most this long, else as a truncated preview. */
const MAX_ITEM_CHARS = 2000;
const MAX_TEXT_CHARS = 300;

export function previewItem(item: unknown): unknown {
  let json: string | undefined;
  try {
    json = JSON.stringify(item);
  } catch {
    try {
      return String(item).slice(0, MAX_ITEM_CHARS);
    } catch {
      return '(unprintable)';
    }
  }
  return json !== undefined && json.length > MAX_ITEM_CHARS ? `${json.slice(0, MAX_ITEM_CHARS)}…` : item;
}

/** A stretch of the reply, as text. */
export function previewText(text: string, start: number, end: number): string {
  const slice = text.slice(start, Math.min(end, start + MAX_TEXT_CHARS));
  return end - start > MAX_TEXT_CHARS ? `${slice}…` : slice;
}
