/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The arena's WebSocket feed (/ws/agents/:id) for the agents a page follows: one socket, the first
 * agent in its URL and the others subscribed on it. The token, when entered, goes as the subprotocol
 * `bearer.<token>` (the server answers `arena.v1`), never in the URL. Reconnects with a growing delay;
 * the status in the top bar says where it stands, in words.
 */
import { storedToken } from './token';

export interface FeedMessage {
  type: string;
  data: { agent_id?: string; [field: string]: unknown };
}

export interface LiveFeedHandlers {
  message(message: FeedMessage): void;
  /**
   * Every followed agent is subscribed (after each connect): the feed sends only the cycles recorded
   * from now on, so read everything once more and nothing falls between the page and the feed.
   */
  ready(): void;
  /** The server wants the token (reads need it on this arena). */
  unauthorized(): void;
}

/** Close code the arena uses for "no token or the wrong one". */
const UNAUTHORIZED = 4401;
const MAX_DELAY_MS = 15_000;

type State = 'connecting' | 'on' | 'retrying' | 'locked';
const STATE_TEXT: Record<State, string> = {
  connecting: 'Live updates: connecting',
  on: 'Live updates: on',
  retrying: 'Live updates: reconnecting',
  locked: 'Live updates: need the API token',
};

export class LiveFeed {
  private socket: WebSocket | null = null;
  private wanted: string[] = [];
  private subscribed = new Set<string>();
  private delayMs = 1_000;
  /** `ready` was called for the current socket. */
  private announced = false;
  private retryTimer: number | null = null;

  constructor(private readonly handlers: LiveFeedHandlers) {}

  /** Follows exactly these agents from now on. */
  follow(agentIds: string[]): void {
    this.wanted = [...new Set(agentIds)];
    if (!this.socket) {
      this.connect();
      return;
    }
    if (this.socket.readyState !== WebSocket.OPEN) return;
    for (const id of this.wanted) if (!this.subscribed.has(id)) this.send({ action: 'subscribe', agent_id: id });
    for (const id of this.subscribed) if (!this.wanted.includes(id)) this.send({ action: 'unsubscribe', agent_id: id });
  }

  /** Drops the socket and opens a new one now (after the token changed). */
  restart(): void {
    if (this.retryTimer !== null) window.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const old = this.socket;
    this.socket = null;
    old?.close(1000, 'restart');
    this.connect();
  }

  private connect(): void {
    const [first] = this.wanted;
    if (first === undefined) return;
    const token = storedToken();
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agents/${encodeURIComponent(first)}`;
    const socket = token ? new WebSocket(url, ['arena.v1', `bearer.${token}`]) : new WebSocket(url);
    this.socket = socket;
    this.subscribed = new Set();
    this.announced = false;
    this.show('connecting');

    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.delayMs = 1_000;
      for (const id of this.wanted.slice(1)) this.send({ action: 'subscribe', agent_id: id });
    });
    socket.addEventListener('message', (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      const message = JSON.parse(event.data) as FeedMessage;
      const agentId = message.data?.agent_id;
      if (message.type === 'subscribed' && agentId) {
        this.subscribed.add(agentId);
        if (!this.announced && this.wanted.every((id) => this.subscribed.has(id))) {
          this.announced = true;
          this.show('on');
          this.handlers.ready();
        }
      } else if (message.type === 'unsubscribed' && agentId) {
        this.subscribed.delete(agentId);
      } else {
        this.handlers.message(message);
      }
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (event.code === UNAUTHORIZED) {
        this.show('locked');
        this.handlers.unauthorized();
        return;
      }
      this.show('retrying');
      this.retryTimer = window.setTimeout(() => {
        this.retryTimer = null;
        if (!this.socket) this.connect();
      }, this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, MAX_DELAY_MS);
    });
  }

  private send(message: object): void {
    this.socket?.send(JSON.stringify(message));
  }

  private show(state: State): void {
    const status = document.getElementById('live-status');
    if (!status) return;
    status.dataset.state = state;
    status.textContent = STATE_TEXT[state];
  }
}
