/** The latest prices the agents saw: each agent's newest recorded cycle, its market snapshot. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { RouteDeps } from '../deps';
import { errors, ok, okJson } from '../envelope';

const SYMBOL = /^[A-Z0-9]{2,20}USDT$/;
const MAX_SYMBOLS = 50;
const expected = `expected a comma-separated list of up to ${MAX_SYMBOLS} symbols like BTCUSDT,ETHUSDT`;

const PricesQuery = z.object({
  symbols: z.string({ error: `${expected} (given once)` })
    .max(MAX_SYMBOLS * 25, { error: expected })
    .transform((text, ctx) => {
      const symbols = [...new Set(text.split(',').map((s) => s.trim().toUpperCase()))];
      const bad = symbols.find((s) => !SYMBOL.test(s));
      if (bad !== undefined || symbols.length > MAX_SYMBOLS) {
        ctx.addIssue({ code: 'custom', message: bad === undefined ? expected : `${expected}; "${bad.slice(0, 30)}" is not a symbol` });
        return z.NEVER;
      }
      return symbols;
    })
    .optional()
    .openapi({ type: 'string', example: 'BTCUSDT,ETHUSDT', description: 'Symbols to return (case-insensitive); all seen symbols without it' }),
});

export const PriceSchema = z.object({
  symbol: z.string(),
  price: z.number().nullable().openapi({ description: 'null: no agent has seen this symbol' }),
  change_1h_pct: z.number().nullable(),
  change_4h_pct: z.number().nullable(),
  funding_rate: z.number().nullable(),
  market_time: z.string().nullable().openapi({ description: 'Market time of the bar the price is from' }),
  agent_id: z.string().nullable().openapi({ description: 'The agent whose cycle saw it' }),
  cycle: z.number().int().nullable(),
}).openapi('Price');

const pricesRoute = createRoute({
  method: 'get', path: '/prices', tags: ['market'], summary: 'The latest prices the agents saw',
  request: { query: PricesQuery },
  responses: { ...okJson(z.array(PriceSchema), 'One entry per symbol, in the order asked'), ...errors(400, 401) },
});

interface SeenPrice {
  symbol: string;
  price: number;
  change1hPct: number | null;
  change4hPct: number | null;
  fundingRate: number | null;
  market_time: Date;
  agent_id: string;
  cycle_no: number;
}

export function marketRoutes({ db }: RouteDeps): OpenAPIHono {
  const routes = new OpenAPIHono();

  routes.openapi(pricesRoute, async (c) => {
    const { symbols } = c.req.valid('query');
    // Each agent's newest recorded cycle (an index walk per agent), then its snapshot's symbols; per symbol the newest.
    const { rows } = await sql<SeenPrice>`
      select distinct on (m->>'symbol') m->>'symbol' as symbol, (m->>'price')::float8 as price,
        (m->>'change1hPct')::float8 as "change1hPct", (m->>'change4hPct')::float8 as "change4hPct",
        (m->>'fundingRate')::float8 as "fundingRate", last.market_time, last.agent_id, last.cycle_no
      from agents a
      cross join lateral (
        select c.agent_id, c.cycle_no, c.market_time, c.input from cycles c
        where c.agent_id = a.id and c.status = 'ok' and c.market_time is not null
        order by c.cycle_no desc limit 1
      ) last
      cross join lateral jsonb_array_elements(case when jsonb_typeof(last.input->'market') = 'array' then last.input->'market' else '[]'::jsonb end) m
      where jsonb_typeof(m->'price') = 'number'
      order by m->>'symbol', last.market_time desc, last.cycle_no desc`.execute(db);
    const seen = new Map(rows.map((r) => [r.symbol, r]));
    return ok(c, (symbols ?? [...seen.keys()]).map((symbol) => {
      const r = seen.get(symbol);
      return {
        symbol, price: r?.price ?? null, change_1h_pct: r?.change1hPct ?? null, change_4h_pct: r?.change4hPct ?? null,
        funding_rate: r?.fundingRate ?? null, market_time: r ? new Date(r.market_time).toISOString() : null,
        agent_id: r?.agent_id ?? null, cycle: r?.cycle_no ?? null,
      };
    }));
  });

  return routes;
}
