import type { MarginBracket } from '../venue';

/**
 * GET /fapi/v1/leverageBracket (Binance) and /fapi/v3/leverageBracket (Aster): the notional brackets of
 * each symbol. The answer is a list of `{symbol, notionalCoef?, brackets: [...]}`, or one such object
 * when a symbol was sent (so say both venues' docs; Binance has been seen answering a list then too).
 * Numbers may come as numbers or decimal strings.
 */
interface RawSymbolBrackets {
  symbol?: unknown;
  brackets?: unknown;
}

type RawBracket = Record<keyof MarginBracket, unknown>;

const FIELDS = ['bracket', 'initialLeverage', 'notionalCap', 'notionalFloor', 'maintMarginRatio', 'cum'] as const;

function bracketOf(raw: RawBracket): MarginBracket | null {
  const values = FIELDS.map((field) => Number(raw?.[field]));
  if (values.some((v) => !Number.isFinite(v) || v < 0)) return null;
  const [bracket, initialLeverage, notionalCap, notionalFloor, maintMarginRatio, cum] = values as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!(initialLeverage >= 1) || !(notionalCap > notionalFloor) || !(maintMarginRatio < 1)) return null;
  return { bracket, initialLeverage, notionalCap, notionalFloor, maintMarginRatio, cum };
}

/**
 * Brackets by symbol, lowest notional first. A symbol whose list has an unusable bracket is left out
 * (a partial table would understate the maintenance margin of large positions).
 */
export function parseLeverageBrackets(body: unknown): Map<string, MarginBracket[]> {
  const rows = (Array.isArray(body) ? body : [body]) as RawSymbolBrackets[];
  const out = new Map<string, MarginBracket[]>();
  for (const row of rows) {
    if (typeof row?.symbol !== 'string' || !Array.isArray(row.brackets) || row.brackets.length === 0) continue;
    const brackets = (row.brackets as RawBracket[]).map(bracketOf);
    if (brackets.some((b) => b === null)) continue;
    out.set(
      row.symbol,
      (brackets as MarginBracket[]).sort((a, b) => a.notionalFloor - b.notionalFloor),
    );
  }
  return out;
}
