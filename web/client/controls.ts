/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Pause, resume, stop and run-now on the agent page: shown only once the token is entered, sent as
 * `POST /api/agents/:id/<action>` with it. Which buttons are enabled follows the agent's status (the
 * overview region's `data-status`); the API refuses what does not apply anyway, and its answer is shown.
 */
import { ApiRefusal, getJson, postJson } from './api';
import { askForToken, onTokenChange, storedToken } from './token';

/** Which actions make sense in which status. */
const ALLOWED: Record<string, string[]> = {
  running: ['pause', 'stop', 'run-cycle'],
  'safe-mode': ['pause', 'stop', 'run-cycle'],
  paused: ['resume', 'stop'],
};

const DONE: Record<string, string> = {
  pause: 'Pause signal accepted.',
  resume: 'Resume signal accepted.',
  stop: 'Stop signal accepted: the workflow ends (positions keep their stop-loss and take-profit).',
  'run-cycle': 'Cycle run.',
};

/** The status a signal leads to: the page waits for it before it reads the agent again. */
const SETTLES_AS: Record<string, string[]> = { pause: ['paused'], resume: ['running'], stop: ['stopped', 'finished'] };
const SETTLE_TIMEOUT_MS = 5_000;

/** A signal is only queued when the API answers: wait (a few seconds at most) until the workflow has taken it. */
async function settled(agentId: string, action: string): Promise<void> {
  const expected = SETTLES_AS[action];
  if (!expected) return;
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const agent = await getJson<{ status: string }>(`/api/agents/${encodeURIComponent(agentId)}`).catch(() => null);
    if (agent && expected.includes(agent.status)) return;
    await new Promise((resolve) => window.setTimeout(resolve, 400));
  }
}

/** What the control routes answer (run-cycle: the cycle's summary, or a 202 with a message). */
interface ControlAnswer {
  message?: string;
  cycle?: { cycleNo?: number; summary?: string };
}

function describe(action: string, answer: ControlAnswer | null): string {
  if (answer?.message) return answer.message;
  if (answer?.cycle?.summary) return `Cycle #${answer.cycle.cycleNo ?? '?'}: ${answer.cycle.summary}`;
  return DONE[action] ?? 'Done.';
}

export function setUpControls(agentId: string, changed: () => Promise<void>): { statusChanged(): void } {
  const buttons = document.getElementById('control-buttons')!;
  const locked = document.getElementById('controls-locked')!;
  const result = document.getElementById('control-result')!;

  const statusChanged = () => {
    const status = document.querySelector<HTMLElement>('[data-region="overview"]')?.dataset.status ?? '';
    for (const button of buttons.querySelectorAll<HTMLButtonElement>('button[data-control]')) {
      button.disabled = !(ALLOWED[status] ?? []).includes(button.dataset.control!);
    }
  };
  const showButtons = () => {
    const hasToken = storedToken() !== null;
    buttons.hidden = !hasToken;
    locked.hidden = hasToken;
    if (!hasToken) result.textContent = '';
  };

  document.getElementById('controls-token')!.addEventListener('click', () => void askForToken());
  buttons.addEventListener('click', async (event) => {
    const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-control]');
    if (!button || button.disabled) return;
    const action = button.dataset.control!;
    if (action === 'stop' && !window.confirm(`Stop ${agentId}? Its workflow ends; the next npm start starts it again.`)) return;
    button.disabled = true;
    result.textContent = action === 'run-cycle' ? 'Running a cycle…' : 'Sending…';
    try {
      const answer = await postJson<ControlAnswer | null>(`/api/agents/${encodeURIComponent(agentId)}/${action}`);
      await settled(agentId, action);
      result.textContent = describe(action, answer);
    } catch (err) {
      result.textContent = err instanceof ApiRefusal ? `Refused (${err.status}): ${err.message}` : 'The arena did not answer.';
      if (err instanceof ApiRefusal && err.status === 401) void askForToken('The arena refused that token: enter it again.');
    }
    await changed();
    statusChanged();
  });

  onTokenChange(showButtons);
  showButtons();
  statusChanged();
  return { statusChanged };
}
