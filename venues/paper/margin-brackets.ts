import { parseLeverageBrackets } from '../binance-family/leverage-brackets';
import type { MarginBracket } from '../venue';
import bundled from './margin-brackets.binance-usdm.json';

/**
 * The paper venue's maintenance margin brackets per symbol: Binance USD-M's own answer for the arena's
 * symbols, bundled with its source and date (margin-brackets.binance-usdm.json says where they come
 * from and how to refresh them).
 */
export const PAPER_MARGIN_BRACKETS: ReadonlyMap<string, readonly MarginBracket[]> = parseLeverageBrackets(bundled.leverageBracket);

/** The market time the bundled brackets describe. */
export const PAPER_MARGIN_BRACKETS_AS_OF = bundled.asOf;
