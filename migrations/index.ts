import type { Migration } from 'kysely/dist/migration'; // kysely/migration (see db/connect.ts)
import * as m001 from './001_initial';
import * as m002 from './002_trading_locks';
import * as m003 from './003_llm_calls';
import * as m004 from './004_fills';
import * as m005 from './005_analytics_indexes';
import * as m006 from './006_arena_clock';
import * as m007 from './007_alerts';
import * as m008 from './008_model_replies';
import * as m009 from './009_agent_configs';

/** Every migration, in order. Forward-only: add a new file, never edit a shipped one. */
export const migrations: Record<string, Migration> = {
  '001_initial': m001,
  '002_trading_locks': m002,
  '003_llm_calls': m003,
  '004_fills': m004,
  '005_analytics_indexes': m005,
  '006_arena_clock': m006,
  '007_alerts': m007,
  '008_model_replies': m008,
  '009_agent_configs': m009,
};
