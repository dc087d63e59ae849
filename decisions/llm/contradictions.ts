/**
 * Decisions of one answer that contradict each other on a symbol. The decisions involved are dropped,
 * each with its reason; the other symbols' decisions go on untouched.
 *
 *  - `hold` or `wait` naming a symbol, and an open or a close of that symbol: the trades are dropped
 *    (the answer says both to leave the symbol alone and to trade it).
 *  - An `open_long` and an `open_short` of one symbol: every open of that symbol is dropped.
 *  - Several opens of one symbol and side: identical ones are one open (the first stays, the repeats
 *    are dropped); different ones (sizes, leverage or prices) are all dropped, since which one is meant
 *    cannot be told.
 *  - A close and an open of one symbol (a reversal): the close stays and the open is dropped. The risk
 *    engine would judge the open as if the close had filled, which nothing guarantees (a minimum
 *    holding time refuses the close, or the venue does), and an open next to a position that is still
 *    there is not what the model asked for. Closing now and opening next cycle honours both safely.
 *
 * (An open whose `side` disagrees with its action is refused on its own, in validate-decision.ts.)
 */
import type { Decision } from '../types';

export interface NumberedDecision {
  decision: Decision;
  /** The item as the model wrote it (for the record). */
  item: unknown;
  /** 1-based position in the answer. */
  n: number;
}

export interface Dropped {
  item: unknown;
  reason: string;
}

/** What a decision would trade: equal keys are the same trade (reason and confidence aside). */
export function tradeKey(d: Decision): string {
  return JSON.stringify([
    d.action,
    d.symbol ?? null,
    d.sizeUsd ?? null,
    d.quantity ?? null,
    d.leverage ?? null,
    d.stopLoss ?? null,
    d.takeProfit ?? null,
  ]);
}

export function dropContradictions(list: readonly NumberedDecision[]): {
  kept: NumberedDecision[];
  dropped: Array<NumberedDecision & { reason: string }>;
} {
  const reasons = new Map<NumberedDecision, string>();
  const bySymbol = new Map<string, NumberedDecision[]>();
  for (const entry of list) {
    const symbol = entry.decision.symbol;
    if (symbol === undefined) continue;
    const same = bySymbol.get(symbol);
    if (same) same.push(entry);
    else bySymbol.set(symbol, [entry]);
  }
  for (const [symbol, entries] of bySymbol) judgeSymbol(symbol, entries, reasons);
  return {
    kept: list.filter((e) => !reasons.has(e)),
    dropped: list.filter((e) => reasons.has(e)).map((e) => ({ ...e, reason: `decision ${e.n}: ${reasons.get(e)!}` })),
  };
}

function judgeSymbol(symbol: string, entries: NumberedDecision[], reasons: Map<NumberedDecision, string>): void {
  const of = (...actions: string[]) => entries.filter((e) => actions.includes(e.decision.action));
  const holds = of('hold', 'wait');
  const trades = of('open_long', 'open_short', 'close');
  const drop = (e: NumberedDecision, why: string) => {
    if (!reasons.has(e)) reasons.set(e, why);
  };

  if (holds.length > 0 && trades.length > 0) {
    const hold = holds[0]!;
    for (const e of trades)
      drop(e, `${e.decision.action} ${symbol} contradicts decision ${hold.n} (${hold.decision.action} ${symbol}) in the same reply`);
    return;
  }

  const longs = of('open_long');
  const shorts = of('open_short');
  if (longs.length > 0 && shorts.length > 0) {
    const numbers = [...longs, ...shorts]
      .map((e) => e.n)
      .sort((a, b) => a - b)
      .join(', ');
    for (const e of [...longs, ...shorts])
      drop(e, `open_long and open_short of ${symbol} in one reply contradict each other (decisions ${numbers})`);
    return;
  }

  const opens = longs.length > 0 ? longs : shorts;
  if (opens.length > 1) {
    const first = opens[0]!;
    if (opens.every((e) => tradeKey(e.decision) === tradeKey(first.decision))) {
      for (const e of opens.slice(1)) drop(e, `repeats decision ${first.n}`);
    } else {
      const numbers = opens.map((e) => e.n).join(', ');
      for (const e of opens) {
        drop(
          e,
          `${opens.length} ${first.decision.action} ${symbol} with different sizes, leverage or prices (decisions ${numbers}): which one is meant cannot be told`,
        );
      }
    }
  }

  const closes = of('close');
  if (closes.length > 0) {
    for (const e of opens) {
      drop(
        e,
        `${e.decision.action} ${symbol} in the same reply as a close of ${symbol} (decision ${closes[0]!.n}): ` +
          'the open would be judged as if the close had filled, which nothing guarantees; the close stands, open again next cycle',
      );
    }
  }
}
