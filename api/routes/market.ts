/** Prices at one bar: the newest bar of the arena's market clock that an agent has recorded. */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { latestBarSnapshots } from '../../db/cycles';
import type { SymbolSnapshot } from '../../market/snapshot';
import type { RouteDeps } from '../deps';
import { errors, ok, okJson } from '../envelope';

const SYMBOL = /^[A-Z0-9]{2,20}USDT$/;
const MAX_SYMBOLS = 50;
const expected = `expected a comma-separated list of up to ${MAX_SYMBOLS} symbols like BTCUSDT,ETHUSDT`;

const PricesQuery = z.object({
  symbols: z
    .string({ error: `${expected} (given once)` })
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
    .openapi({
      type: 'string',
      example: 'BTCUSDT,ETHUSDT',
      description: 'Symbols to return (case-insensitive); all seen symbols without it',
    }),
});

export const PriceSchema = z
  .object({
    symbol: z.string(),
    price: z.number().nullable().openapi({ description: 'null: no agent has seen this symbol' }),
    change_1h_pct: z.number().nullable(),
    change_4h_pct: z.number().nullable(),
    funding_rate: z.number().nullable(),
    market_time: z.string().nullable().openapi({ description: 'Market time of the bar: the same for every symbol of the answer' }),
    agent_id: z.string().nullable().openapi({ description: 'The agent whose cycle saw it' }),
    cycle: z.number().int().nullable(),
  })
  .openapi('Price');

const pricesRoute = createRoute({
  method: 'get',
  path: '/prices',
  tags: ['market'],
  summary: 'Prices at one bar: the newest any agent recorded (every entry has that market time)',
  request: { query: PricesQuery },
  responses: { ...okJson(z.array(PriceSchema), 'One entry per symbol, in the order asked'), ...errors(400, 401) },
});

export function marketRoutes({ db }: RouteDeps): OpenAPIHono {
  const routes = new OpenAPIHono();

  routes.openapi(pricesRoute, async (c) => {
    const { symbols } = c.req.valid('query');
    // One bar: the newest any agent recorded on the arena's clock, and per symbol the first agent (by id) that saw it there.
    const bar = await latestBarSnapshots(db);
    const seen = new Map<string, { snapshot: SymbolSnapshot; agentId: string; cycleNo: number }>();
    for (const row of bar?.rows ?? []) {
      for (const snapshot of row.input.market ?? []) {
        if (!seen.has(snapshot.symbol)) seen.set(snapshot.symbol, { snapshot, agentId: row.agent_id, cycleNo: row.cycle_no });
      }
    }
    const marketTime = bar ? bar.marketTime.toISOString() : null;
    return ok(
      c,
      (symbols ?? [...seen.keys()].sort()).map((symbol) => {
        const s = seen.get(symbol);
        return {
          symbol,
          price: s?.snapshot.price ?? null,
          change_1h_pct: s?.snapshot.change1hPct ?? null,
          change_4h_pct: s?.snapshot.change4hPct ?? null,
          funding_rate: s?.snapshot.fundingRate ?? null,
          market_time: s ? marketTime : null,
          agent_id: s?.agentId ?? null,
          cycle: s?.cycleNo ?? null,
        };
      }),
    );
  });

  return routes;
}
