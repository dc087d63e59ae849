/**
 * The canonical reply (types.ts) as JSON Schema, for the providers' structured output: OpenAI's
 * strict json_schema, other json_schema providers, and the input schema of Anthropic's tool.
 */
import { DECISION_ACTIONS } from '../types';

export const REPLY_SCHEMA_NAME = 'trading_decisions';
export const SUBMIT_TOOL_NAME = 'submit_decisions';
export const SUBMIT_TOOL_DESCRIPTION =
  'Submit this cycle\'s trading decisions: your reasoning and the list of decisions (use "wait" when there is nothing to do).';

type JsonSchema = Record<string, unknown>;

const FIELDS: Array<{ name: string; type: 'string' | 'number'; description: string; required?: boolean }> = [
  { name: 'action', type: 'string', description: 'open_long, open_short, close, hold or wait', required: true },
  { name: 'symbol', type: 'string', description: 'Symbol, e.g. BTCUSDT; required for open_long, open_short and close' },
  { name: 'size_usd', type: 'number', description: 'Position value in USDT (notional) for an open' },
  { name: 'quantity', type: 'number', description: 'Or the position size in base units' },
  { name: 'leverage', type: 'number', description: 'Leverage for an open, e.g. 5' },
  { name: 'stop_loss', type: 'number', description: 'Stop-loss price' },
  { name: 'take_profit', type: 'number', description: 'Take-profit price' },
  { name: 'confidence', type: 'number', description: 'Confidence from 0 to 1' },
  { name: 'reason', type: 'string', description: 'Why, in one or two sentences', required: true },
];

/**
 * `strict`: OpenAI's Structured Outputs dialect (every property required, optional ones nullable, no
 * extra properties). Otherwise the plainest schema (type, properties, required, enum, items,
 * description), which the other providers' dialects accept.
 */
export function replyJsonSchema(options: { strict: boolean }): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of FIELDS) {
    const type = options.strict && !f.required ? [f.type, 'null'] : f.type;
    properties[f.name] = { type, description: f.description, ...(f.name === 'action' && { enum: [...DECISION_ACTIONS] }) };
  }
  const decision: JsonSchema = {
    type: 'object',
    properties,
    required: options.strict ? FIELDS.map((f) => f.name) : FIELDS.filter((f) => f.required).map((f) => f.name),
    ...(options.strict && { additionalProperties: false }),
  };
  return {
    type: 'object',
    properties: {
      reasoning: { type: 'string', description: 'Your analysis of the market, the account and the positions' },
      decisions: { type: 'array', items: decision, description: 'One entry per action; [{"action": "wait", ...}] when nothing to do' },
    },
    required: ['reasoning', 'decisions'],
    ...(options.strict && { additionalProperties: false }),
  };
}

/** Appended to the system prompt in json_object mode when it never says "JSON" (the APIs require it). */
export const JSON_REPLY_INSTRUCTION =
  'Reply with one JSON object only: {"reasoning": "...", "decisions": [{"action": "open_long" | "open_short" | "close" | "hold" | "wait", ' +
  '"symbol": "BTCUSDT", "size_usd": <USDT>, "leverage": <number>, "stop_loss": <price>, "take_profit": <price>, ' +
  '"confidence": <0-1>, "reason": "..."}]}';
