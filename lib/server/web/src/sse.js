// A parser for the text/event-stream format (HTML Living Standard §9.2.6), fed chunks of
// text as they arrive; calls onEvent({id, event, data}) once per complete event.

export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.id = null;
  }

  push(text) {
    // A chunk ending in '\r' may be the first half of '\r\n': that line end waits for
    // the next chunk, or '\n' would read as a second, blank line and end the event early.
    const whole = this.buffer + text;
    const held = whole.endsWith('\r') ? 1 : 0;
    const lines = whole.slice(0, whole.length - held).split(/\r\n|\r|\n/);
    // The last piece has no line end yet (or is ''): it waits for the next chunk.
    this.buffer = lines.pop() + (held ? '\r' : '');
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0 || this.id !== null) {
        this.onEvent({ id: this.id, event: this.event || 'message', data: this.data.join('\n') });
      }
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
