/**
 * Which colour an agent's line has: its place among all agent ids in sorted order, so the chart (in
 * the browser) and the tables (on the server) agree without talking. The colours themselves are the
 * CSS variables --series-0 ... --series-7 of arena.css.
 */
export const SERIES_COLOURS = 8;

export function seriesIndex(agentId: string, allIds: readonly string[]): number {
  const index = [...allIds].sort().indexOf(agentId);
  return Math.max(0, index) % SERIES_COLOURS;
}
