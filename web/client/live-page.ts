/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * What both pages do around their own chart: the token button, everything read again (and the feed
 * reopened) when a token is entered, and the first read: the chart when the server could render the
 * page, else the regions with the stored token, else the question for one.
 */
import type { LiveFeed } from './live';
import type { LiveRegions } from './regions';
import { askForReadToken, onTokenChange, setUpTokenButton, storedToken } from './token';

export function startLivePage(regions: LiveRegions, feed: LiveFeed, loadChart: () => Promise<void>): void {
  setUpTokenButton();
  onTokenChange(() => {
    void readAgain(regions, loadChart);
    feed.restart();
  });
  if (!regions.locked()) void loadChart();
  else if (storedToken()) void readAgain(regions, loadChart);
  else void askForReadToken();
}

/** The regions and the chart, read again (after the feed reconnected, or with a new token). */
export async function readAgain(regions: LiveRegions, loadChart: () => Promise<void>): Promise<void> {
  await Promise.all([regions.refreshNow(), loadChart()]);
}
