/**
 * Reads a time-ordered list that the venue serves in pages of at most `pageSize` items from a start
 * time (userFillsByTime 2000, userFunding and fundingHistory 500): the next page starts at the last
 * item's time, and items seen twice (same key) are kept once.
 */
export async function readAllSince<T>(
  start: number,
  pageSize: number,
  fetchPage: (startTime: number) => Promise<T[]>,
  timeOf: (item: T) => number,
  keyOf: (item: T) => string,
  maxPages = 50,
): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let from = start;
  for (let page = 0; page < maxPages; page++) {
    const items = await fetchPage(from);
    for (const item of items) {
      const key = keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(item);
    }
    if (items.length < pageSize) break;
    const last = Math.max(...items.map(timeOf));
    // A full page within one millisecond would repeat forever: move on.
    from = last > from ? last : from + 1;
  }
  return out.sort((a, b) => timeOf(a) - timeOf(b));
}
