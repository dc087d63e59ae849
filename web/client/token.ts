/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The arena's API token in the browser: asked once in a dialog, kept in this tab's sessionStorage,
 * sent only as an `Authorization` header (and the WebSocket's subprotocol), never in a URL or a log.
 */

const STORAGE_KEY = 'arena.apiToken';
const listeners = new Set<() => void>();

export function storedToken(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

function store(token: string | null): void {
  if (token) sessionStorage.setItem(STORAGE_KEY, token);
  else sessionStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

/** Headers for a request to the API: the bearer token when there is one. */
export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Called whenever the token is entered or forgotten. */
export function onTokenChange(listener: () => void): void {
  listeners.add(listener);
}

function forgetToken(): void {
  store(null);
}

let asking: Promise<boolean> | null = null;

/** Opens the token dialog (once, however many callers ask); true when a token was saved. */
export function askForToken(reason?: string): Promise<boolean> {
  asking ??= new Promise<boolean>((resolve) => {
    const dialog = document.getElementById('token-dialog') as HTMLDialogElement;
    const input = document.getElementById('token-input') as HTMLInputElement;
    const why = document.getElementById('token-reason') as HTMLElement;
    const defaultReason = why.dataset.default ?? why.textContent ?? '';
    why.dataset.default = defaultReason;
    why.textContent = reason ?? defaultReason;
    input.value = '';
    dialog.addEventListener(
      'close',
      () => {
        const token = input.value.trim();
        input.value = '';
        asking = null;
        if (dialog.returnValue === 'save' && token) {
          store(token);
          resolve(true);
        } else {
          resolve(false);
        }
      },
      { once: true },
    );
    const cancel = document.getElementById('token-cancel') as HTMLButtonElement;
    cancel.onclick = () => dialog.close('cancel');
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** Reads need the token on this arena: ask for it, saying whether the one given was refused. */
export function askForReadToken(): Promise<boolean> {
  return askForToken(
    storedToken() ? 'The arena refused that token: enter it again.' : 'This arena shows its records only with its API token.',
  );
}

/** The top bar's button: "Enter API token" or "Forget API token". */
export function setUpTokenButton(): void {
  const button = document.getElementById('token-button') as HTMLButtonElement;
  const label = () => {
    button.textContent = storedToken() ? 'Forget API token' : 'Enter API token';
  };
  label();
  button.hidden = false;
  onTokenChange(label);
  button.addEventListener('click', () => {
    if (storedToken()) forgetToken();
    else void askForToken();
  });
}
