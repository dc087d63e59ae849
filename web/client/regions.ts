/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The page's live regions ([data-region]) are rendered by the server. After a cycle the browser fetches
 * the page's fragment (/fragments/...) and swaps each region that changed, keeping what the reader
 * had opened (<details data-key>), scrolled (wide tables) and focused.
 */
import { authHeaders } from './token';

export interface LiveRegions {
  /** Refresh soon; calls close together make one fetch, a call during a fetch makes one more after it. */
  refresh(): void;
  /** Refresh now; resolves once the regions are swapped. */
  refreshNow(): Promise<void>;
  /** True while a region says the API asked for the token. */
  locked(): boolean;
}

const COALESCE_MS = 150;

export function liveRegions(fragmentUrl: string, afterSwap: () => void): LiveRegions {
  const seen = new Map<string, string>();
  let timer: number | null = null;
  let running: Promise<void> | null = null;
  let again = false;

  async function fetchAndSwap(): Promise<void> {
    const res = await fetch(fragmentUrl, { headers: { accept: 'text/html', ...authHeaders() } });
    if (!res.ok && res.status !== 401 && res.status !== 503) throw new Error(`${fragmentUrl}: ${res.status}`);
    const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
    for (const next of fresh.querySelectorAll<HTMLElement>('[data-region]')) {
      const name = next.dataset.region!;
      const html = next.outerHTML;
      if (seen.get(name) === html) continue;
      seen.set(name, html);
      const current = document.querySelector<HTMLElement>(`[data-region="${CSS.escape(name)}"]`);
      if (current) swap(current, next);
    }
    afterSwap();
  }

  function run(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = fetchAndSwap()
      .catch(() => {
        /* the next cycle's refresh tries again; the page keeps what it shows */
      })
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          void run();
        }
      });
    return running;
  }

  return {
    refresh() {
      if (timer !== null) return;
      timer = window.setTimeout(() => {
        timer = null;
        void run();
      }, COALESCE_MS);
    },
    refreshNow: run,
    locked: () => document.querySelector('[data-region][data-locked]') !== null,
  };
}

function swap(current: HTMLElement, next: HTMLElement): void {
  // What the reader opened or closed stays so; the rest takes the server's default (the newest open).
  const chosen = new Map<string, boolean>();
  for (const d of current.querySelectorAll<HTMLDetailsElement>('details[data-key]')) {
    if (d.open !== d.hasAttribute('data-default-open')) chosen.set(d.dataset.key!, d.open);
  }
  for (const d of next.querySelectorAll<HTMLDetailsElement>('details[data-key]')) {
    const open = chosen.get(d.dataset.key!);
    if (open !== undefined) d.open = open;
  }
  const scrolled = new Map<string, number>();
  for (const box of current.querySelectorAll<HTMLElement>('.table-scroll[aria-label]'))
    scrolled.set(box.getAttribute('aria-label')!, box.scrollLeft);
  const focusKey = current.contains(document.activeElement)
    ? document.activeElement?.closest<HTMLElement>('[data-key]')?.dataset.key
    : undefined;

  const adopted = document.importNode(next, true);
  current.replaceWith(adopted);

  for (const box of adopted.querySelectorAll<HTMLElement>('.table-scroll[aria-label]'))
    box.scrollLeft = scrolled.get(box.getAttribute('aria-label')!) ?? 0;
  if (focusKey) adopted.querySelector<HTMLElement>(`[data-key="${CSS.escape(focusKey)}"] summary`)?.focus();
}
