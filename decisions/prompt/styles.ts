import type { TradingStyle } from '../../arena-config/types';

/** The trading style paragraph of the system prompt: one short, distinct temperament per style. */
export const STYLE_TEXT: Readonly<Record<TradingStyle, string>> = {
  conservative:
    'Style: conservative. Capital first: waiting is the default. Open only when the 4h trend and 3m momentum agree, ' +
    'with leverage at most a third of your maximum, small size and at most 2 positions at once. Stops about 1x 4h ATR ' +
    'from entry; close as soon as the reason for the trade is gone.',
  balanced:
    'Style: balanced. Trade with the 4h trend on 3m confirmation; fade only clear RSI extremes. Moderate leverage and ' +
    'size, stops about 1.5x 4h ATR, targets at least twice the stop distance. Let winners run to target; close when ' +
    'the 4h trend turns against a position.',
  aggressive:
    'Style: aggressive. Seek returns: act on 3m momentum and breakouts even when the 4h trend is flat, use high ' +
    'leverage within the limits, size up when confidence is high and hold several positions. Tight stops (about 1x ' +
    '4h ATR); rotate out of positions that stall.',
};

export function styleText(style: TradingStyle): string {
  return STYLE_TEXT[style];
}
