// The live event stream GET /v1/events, read with fetch() because EventSource cannot send
// a bearer header. When the connection drops it says so, waits, and reconnects with
// Last-Event-ID, so the server replays what was missed from its event log.
import { authHeaders } from './api.js';
import { SseParser } from './sse.js';

const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 8000;

export class EventFeed {
  constructor(token) {
    this.token = token;
    this.lastId = null;
    this.state = 'connecting'; // connecting | live | lost | refused
    this.listeners = new Set();
    this.stateListeners = new Set();
    this.controller = null;
    this.stopped = false;
  }

  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onState(fn) {
    this.stateListeners.add(fn);
    return () => this.stateListeners.delete(fn);
  }

  setState(state, detail = '') {
    if (this.state === state && this.detail === detail) return;
    this.state = state;
    this.detail = detail;
    this.stateListeners.forEach((fn) => fn(state, detail));
  }

  start() {
    this.run();
    return this;
  }

  // Drops the stream now (its state turns 'lost') and reconnects as after any drop.
  reconnect(why) {
    if (this.state !== 'live' || !this.controller) return;
    this.dropped = why;
    this.controller.abort();
  }

  stop() {
    this.stopped = true;
    if (this.controller) this.controller.abort();
  }

  async run() {
    let retry = RETRY_FIRST_MS;
    while (!this.stopped) {
      try {
        await this.readOnce(() => { retry = RETRY_FIRST_MS; });
        if (this.stopped) return;
        this.setState('lost', 'the server closed the event stream');
      } catch (error) {
        if (this.stopped) return;
        if (error.refused) {
          this.setState('refused', error.message);
          return;
        }
        this.setState('lost', this.dropped || String(error.message || error));
        this.dropped = '';
      }
      await new Promise((resolve) => setTimeout(resolve, retry));
      retry = Math.min(retry * 2, RETRY_MAX_MS);
    }
  }

  async readOnce(onOpen) {
    this.controller = new AbortController();
    const headers = { ...authHeaders(this.token), Accept: 'text/event-stream' };
    if (this.lastId !== null) headers['Last-Event-ID'] = this.lastId;
    const response = await fetch('/v1/events', {
      headers, signal: this.controller.signal, cache: 'no-store', credentials: 'omit',
    });
    if (response.status === 401 || response.status === 403) {
      const error = new Error(`the event stream was refused (HTTP ${response.status})`);
      error.refused = true;
      throw error;
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    this.setState('live');
    onOpen();
    const parser = new SseParser((event) => this.dispatch(event));
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      parser.push(value);
    }
  }

  dispatch(event) {
    if (event.id !== null) this.lastId = event.id;
    let data = {};
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    const item = { id: event.id, type: event.event, ...data };
    this.listeners.forEach((fn) => fn(item));
  }
}
