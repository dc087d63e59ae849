/**
 * One decision from a model, checked field by field with zod before anything may trade. Field names
 * are forgiving (camelCase, a few aliases), values a little (numbers written as "5x" or "$1,000",
 * confidence in percent, symbols as "btc" or "BTC/USDT"), actions are not: only the five actions,
 * whatever their case or spacing. An open whose `side` (or `direction`) disagrees with its action is
 * refused. Anything else rejects the decision with a reason a person can read.
 *
 * Every pattern here runs on a bounded string (numbers and symbols longer than a few dozen characters
 * are refused before any pattern sees them), so a hostile value cannot make validation slow.
 */
import { z } from 'zod';
import { DECISION_ACTIONS, type Decision, type DecisionAction } from '../types';

export const MAX_REASON_CHARS = 500;
/** A decision has a dozen fields; one with more than this many is garbage, refused before any is read. */
export const MAX_FIELDS = 64;

type Field = 'action' | 'symbol' | 'side' | 'size_usd' | 'quantity' | 'leverage' | 'stop_loss' | 'take_profit' | 'confidence' | 'reason';

/** Accepted spellings of each field, after `canonicalKey` (snake_case, lower case). */
const FIELD_ALIASES: Record<Field, readonly string[]> = {
  action: ['action'],
  symbol: ['symbol', 'coin', 'pair', 'ticker', 'asset'],
  side: ['side', 'direction', 'position_side'],
  size_usd: ['size_usd', 'position_size_usd', 'usd', 'size_usdt', 'position_size_usdt', 'notional_usd', 'amount_usd', 'value_usd'],
  quantity: ['quantity', 'qty'],
  leverage: ['leverage'],
  stop_loss: ['stop_loss', 'stoploss', 'sl', 'stop_loss_price'],
  take_profit: ['take_profit', 'takeprofit', 'tp', 'take_profit_price'],
  confidence: ['confidence'],
  reason: ['reason', 'rationale', 'justification', 'explanation', 'reasoning'],
};
const FIELD_OF_KEY = new Map<string, Field>(
  (Object.entries(FIELD_ALIASES) as Array<[Field, readonly string[]]>).flatMap(([field, keys]) => keys.map((k) => [k, field] as const)),
);

const PLAIN_KEY = /^[a-z0-9_]+$/;

/** "stopLoss", "Stop Loss", "stop-loss" → "stop_loss". */
export function canonicalKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key; // most keys: no work
  return key
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export type Validation = { ok: true; decision: Decision } | { ok: false; reason: string };

/**
 * @param duplicateKeys keys the JSON held more than once in this object (the reader kept the last).
 * @param symbols the agent's universe.
 */
export function validateDecision(item: unknown, symbols: readonly string[], duplicateKeys: readonly string[] = []): Validation {
  if (typeof item !== 'object' || item === null || Array.isArray(item))
    return { ok: false, reason: `expected a decision object, got ${typeName(item)}` };
  const fieldCount = Object.keys(item).length;
  if (fieldCount > MAX_FIELDS) return { ok: false, reason: `${fieldCount} fields in one decision (at most ${MAX_FIELDS})` };
  const fields = collectFields(item as Record<string, unknown>, duplicateKeys);
  if (typeof fields === 'string') return { ok: false, reason: fields };

  const result = schemaFor(symbols).safeParse(fields);
  if (!result.success) return { ok: false, reason: [...new Set(result.error.issues.map((i) => i.message))].join('; ') };
  return { ok: true, decision: result.data };
}

/**
 * Known fields by their canonical name. A field given twice with different values (two aliases, or a
 * duplicated key) is refused, except the reason, where the first alias in FIELD_ALIASES wins.
 */
function collectFields(item: Record<string, unknown>, duplicateKeys: readonly string[]): Partial<Record<Field, unknown>> | string {
  const duplicated = duplicateKeys.filter((k) => ![undefined, 'reason'].includes(FIELD_OF_KEY.get(canonicalKey(k))));
  if (duplicated.length) return `duplicated key ${duplicated.map((k) => JSON.stringify(k)).join(', ')}`;
  const fields: Partial<Record<Field, unknown>> = {};
  const from: Partial<Record<Field, string>> = {};
  for (const [key, value] of Object.entries(item)) {
    const field = FIELD_OF_KEY.get(canonicalKey(key));
    if (field === undefined || value === null || value === undefined) continue;
    const previous = from[field];
    if (previous !== undefined) {
      if (field === 'reason') {
        const rank = (k: string) => FIELD_ALIASES.reason.indexOf(canonicalKey(k));
        if (rank(key) >= rank(previous)) continue;
      } else if (!sameValue(fields[field], value)) {
        return `conflicting values for ${field} ("${previous}" and "${key}")`;
      }
    }
    fields[field] = value;
    from[field] = key;
  }
  return fields;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));
}

// ---------------------------------------------------------------------------------------------
// The schema.

const OPENS: readonly DecisionAction[] = ['open_long', 'open_short'];
/** Longer strings are never numbers or symbols (and never reach a pattern). */
const MAX_NUMBER_TEXT = 64;
const MAX_SYMBOL_TEXT = 64;

const SIDE_WORDS = new Map<string, 'long' | 'short'>([
  ['long', 'long'],
  ['buy', 'long'],
  ['short', 'short'],
  ['sell', 'short'],
]);

/** An open's side must agree with its action; close, hold and wait ignore it. */
function sideProblem(action: DecisionAction, side: unknown): string | null {
  if (side === undefined || !OPENS.includes(action)) return null;
  const word = typeof side === 'string' && side.length <= MAX_SYMBOL_TEXT ? SIDE_WORDS.get(side.trim().toLowerCase()) : undefined;
  if (word === undefined) return `side ${show(side)} is not long or short (or buy or sell)`;
  const expected = action === 'open_long' ? 'long' : 'short';
  return word === expected ? null : `side ${show(side)} contradicts action ${action}`;
}

const actionSchema = z.unknown().transform((v, ctx) => {
  const action = typeof v === 'string' ? v.trim().toLowerCase().replace(/\s+/g, '_') : v;
  if (typeof action === 'string' && (DECISION_ACTIONS as readonly string[]).includes(action)) return action as DecisionAction;
  ctx.addIssue({
    code: 'custom',
    message: v === undefined ? 'no action' : `action ${show(v)} is not one of ${DECISION_ACTIONS.join(', ')}`,
  });
  return z.NEVER;
});

/**
 * A finite number, or a string holding one: "1,000.5", " 42 ", "1e3", and per unit "$1,000" /
 * "1000 USDT" (usd), "5x" (times), "75%" (percent: read as 0.75). Ranges ("1-2"), approximations
 * ("~500") and anything else are refused.
 */
function numberLike(field: Field, unit: keyof typeof UNIT_PATTERN) {
  return z.unknown().transform((v, ctx) => {
    const n = toNumber(v, unit);
    if (Number.isFinite(n)) return n;
    ctx.addIssue({
      code: 'custom',
      message: typeof v === 'number' ? `${field} ${show(v)} is not a finite number` : `${field} ${show(v)} is not a number`,
    });
    return z.NEVER;
  });
}

const positive = (field: Field, unit: keyof typeof UNIT_PATTERN) =>
  numberLike(field, unit).refine((n) => n > 0, { error: (issue) => `${field} ${show(issue.input)} is not a positive number` });

/** The fields an open may carry; close, hold and wait ignore them (a close closes the whole position). */
const openFields = z.object({
  size_usd: positive('size_usd', 'usd').optional(),
  quantity: positive('quantity', 'plain').optional(),
  // Kept however high: the risk engine caps leverage and says so.
  leverage: positive('leverage', 'times').optional(),
  stop_loss: positive('stop_loss', 'usd').optional(),
  take_profit: positive('take_profit', 'usd').optional(),
});

/** 0-1; a plain number above 1 (up to 100) is read as percent, as is a string ending in "%". */
const confidenceSchema = z.unknown().transform((v, ctx) => {
  let c = toNumber(v, 'percent');
  const percentSign = typeof v === 'string' && v.trim().endsWith('%');
  if (!percentSign && c > 1 && c <= 100) c /= 100;
  if (c >= 0 && c <= 1) return c;
  ctx.addIssue({ code: 'custom', message: `confidence ${show(v)} is not between 0 and 1 (or 0 and 100)` });
  return z.NEVER;
});

const reasonSchema = z.unknown().transform((v, ctx) => {
  if (v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') {
    ctx.addIssue({ code: 'custom', message: `reason must be text, got ${typeName(v)}` });
    return z.NEVER;
  }
  const text = v.trim();
  return text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}…` : text;
});

/** Built once per symbol list: building a zod schema costs far more than using it. */
const SCHEMAS = new Map<string, ReturnType<typeof decisionSchema>>();

function schemaFor(symbols: readonly string[]): ReturnType<typeof decisionSchema> {
  const key = symbols.join('\n');
  let schema = SCHEMAS.get(key);
  if (schema === undefined) {
    if (SCHEMAS.size >= 32) SCHEMAS.clear();
    schema = decisionSchema([...symbols]);
    SCHEMAS.set(key, schema);
  }
  return schema;
}

function decisionSchema(symbols: readonly string[]) {
  return z
    .looseObject({
      action: actionSchema,
      symbol: z.unknown().optional(),
      side: z.unknown().optional(),
      confidence: confidenceSchema.optional(),
      reason: reasonSchema.optional(),
    })
    .transform((d, ctx): Decision => {
      const problems: string[] = [];
      const isOpen = OPENS.includes(d.action);
      const trades = isOpen || d.action === 'close';

      let symbol: string | undefined;
      if (d.symbol !== undefined) {
        const mapped = typeof d.symbol === 'string' ? normaliseSymbol(d.symbol, symbols) : null;
        if (mapped === null && trades) problems.push(`symbol ${show(d.symbol)} is not traded by this agent`);
        symbol = mapped ?? undefined; // hold or wait: an unknown symbol is only dropped
      } else if (trades) {
        problems.push(`${d.action} needs a symbol`);
      }
      const decision: Decision = { action: d.action, ...(symbol !== undefined && { symbol }), reason: d.reason ?? '' };
      if (d.confidence !== undefined) decision.confidence = d.confidence;
      const side = sideProblem(d.action, d.side);
      if (side !== null) problems.push(side);

      if (isOpen) {
        const open = openFields.safeParse(d);
        if (!open.success) {
          problems.push(...open.error.issues.map((i) => i.message));
        } else {
          const o = open.data;
          if (o.size_usd === undefined && o.quantity === undefined) problems.push(`${d.action} needs size_usd or quantity`);
          if (o.size_usd !== undefined) decision.sizeUsd = o.size_usd;
          if (o.quantity !== undefined) decision.quantity = o.quantity;
          if (o.leverage !== undefined) decision.leverage = o.leverage;
          if (o.stop_loss !== undefined) decision.stopLoss = o.stop_loss;
          if (o.take_profit !== undefined) decision.takeProfit = o.take_profit;
        }
      }
      if (problems.length === 0) return decision;
      for (const message of problems) ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    });
}

const UNIT_PATTERN = {
  usd: /^(?:(?:US)?\$\s*)?(.*?)(?:\s*(?:USDT|USD|\$))?$/i,
  times: /^(.*?)\s*[x×]?$/i,
  percent: /^(.*?)\s*(%?)$/,
  plain: /^(.*)$/,
} as const;
const NUMBER_TEXT = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[+-]?\d+)?$/i;

function toNumber(v: unknown, unit: keyof typeof UNIT_PATTERN): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.length > MAX_NUMBER_TEXT) return Number.NaN;
  const match = UNIT_PATTERN[unit].exec(v.trim());
  const body = match?.[1]?.trim() ?? '';
  if (!/\d/.test(body) || !NUMBER_TEXT.test(body)) return Number.NaN;
  const n = Number(body.replace(/,/g, ''));
  return unit === 'percent' && match?.[2] === '%' ? n / 100 : n;
}

/**
 * The universe symbol a model meant, or null: case, separators and perp suffixes are ignored ("btc",
 * "BTC/USDT", "BTC-USDT", "BTC_USDT", "BTCUSDT.P", "BTC/USDT:USDT", "BTC-PERP"), and a bare base asset
 * gets the universe's quote when that names a traded symbol.
 */
export function normaliseSymbol(raw: string, symbols: readonly string[]): string | null {
  if (raw.length > MAX_SYMBOL_TEXT) return null;
  const universe = new Set(symbols.map((s) => s.toUpperCase()));
  const upper = raw
    .trim()
    .toUpperCase()
    .replace(/:[A-Z]+$/, ''); // ccxt's settle currency: "BTC/USDT:USDT"
  const bases = [upper, upper.replace(/(?:\.P|[-_ ]?PERP(?:ETUAL)?|[-_ ]?SWAP)$/, '')].map((s) => s.replace(/[\s/\-_]/g, ''));
  for (const base of bases) {
    if (!/^[A-Z0-9]{1,30}$/.test(base)) continue;
    for (const candidate of [base, `${base}USDT`, `${base}USDC`]) {
      if (universe.has(candidate)) return symbols.find((s) => s.toUpperCase() === candidate) ?? candidate;
    }
  }
  return null;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return String(v);
  return typeName(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'number' ? String(v) : `a ${typeof v}`;
}
