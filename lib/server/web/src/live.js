// What the console keeps while signed in: the event feed, its connection state, and the
// last hour of the two charts' figures (tasks finished per minute, from the events, which
// the server replays from its log on first connect; resources in use, from /v1/stats
// polled every few seconds).
import { api, onUnreachable } from './api.js';
import { EventFeed } from './feed.js';

const HOUR_MS = 3600 * 1000;
const STATS_EVERY_MS = 5000;
const FINISH_EVENTS = new Set(['task_completed', 'task_failed', 'task_cancelled']);

class Live {
  constructor() {
    this.feed = null;
    this.finishedByMinute = new Map(); // minute start (ms) -> count
    this.samples = []; // {t, cpuUsed, cpuTotal, gpuUsed, gpuTotal}
    this.stats = null;
    this.statsListeners = new Set();
    this.timer = null;
  }

  start(token) {
    this.stop();
    this.finishedByMinute.clear();
    this.samples = [];
    this.feed = new EventFeed(token);
    this.feed.on((event) => this.count(event));
    const feed = this.feed;
    this.offUnreachable = onUnreachable(() => feed.reconnect('ia-sched cannot be reached'));
    this.feed.start();
    this.poll();
    this.timer = setInterval(() => this.poll(), STATS_EVERY_MS);
  }

  stop() {
    if (this.feed) this.feed.stop();
    if (this.offUnreachable) this.offUnreachable();
    this.feed = null;
    clearInterval(this.timer);
    this.timer = null;
  }

  count(event) {
    if (!FINISH_EVENTS.has(event.type) || !event.time) return;
    const t = new Date(event.time).getTime();
    if (t < Date.now() - HOUR_MS) return;
    const minute = Math.floor(t / 60000) * 60000;
    this.finishedByMinute.set(minute, (this.finishedByMinute.get(minute) || 0) + 1);
  }

  async poll() {
    try {
      const stats = await api('GET', '/v1/stats');
      this.stats = stats;
      const online = stats.capacity.online;
      const free = stats.capacity.free;
      this.samples.push({
        t: Date.now(),
        cpuUsed: Math.max(0, online.cpu - free.cpu),
        cpuTotal: online.cpu,
        gpuUsed: Math.max(0, online.gpu - free.gpu),
        gpuTotal: online.gpu,
      });
      const oldest = Date.now() - HOUR_MS;
      while (this.samples.length && this.samples[0].t < oldest) this.samples.shift();
      this.statsListeners.forEach((fn) => fn(stats));
    } catch {
      // The banner tells of a lost connection; the next poll tries again.
    }
  }

  onStats(fn) {
    this.statsListeners.add(fn);
    return () => this.statsListeners.delete(fn);
  }

  // Per minute over the last hour, zeros included, so the chart's x axis is the hour.
  finishedSeries(now = Date.now()) {
    const last = Math.floor(now / 60000) * 60000;
    const xs = [];
    const ys = [];
    for (let minute = last - 59 * 60000; minute <= last; minute += 60000) {
      xs.push(minute / 1000);
      ys.push(this.finishedByMinute.get(minute) || 0);
    }
    return [xs, ys];
  }

  usageSeries() {
    const s = this.samples;
    return [s.map((x) => x.t / 1000), s.map((x) => x.cpuUsed), s.map((x) => x.cpuTotal),
      s.map((x) => x.gpuUsed)];
  }
}

export const live = new Live();
