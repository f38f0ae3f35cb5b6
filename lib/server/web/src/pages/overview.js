// /web: the pool at a glance: nodes by state, queue, live charts, the fair queue.
import { html } from 'htm/preact';
import { api } from '../api.js';
import { live } from '../live.js';
import { nodeState } from '../format.js';
import { Chart } from '../parts/chart.js';
import { NodesTable } from '../parts/nodes.js';
import { useLiveData, useTick } from '../parts/hooks.js';

const anyEvent = () => true;
const nodeEvent = (e) => e.type.startsWith('node_') || e.type.startsWith('task_');

function Figure({ label, value, name }) {
  return html`<div class="figure" data-figure=${name}><span class="value">${value}</span><span class="label">${label}</span></div>`;
}

function Summary({ nodes, stats }) {
  const count = (state) => (nodes ? nodes.filter((n) => nodeState(n) === state).length : '…');
  const tasks = stats ? stats.tasks : null;
  return html`
    <div class="figures">
      <${Figure} name="idle" label="idle" value=${count('idle')} />
      <${Figure} name="busy" label="busy" value=${count('busy')} />
      <${Figure} name="owner-back" label="owner back" value=${count('owner back')} />
      <${Figure} name="offline" label="offline" value=${count('offline')} />
      <${Figure} name="queued" label="queued" value=${tasks ? tasks.queued : '…'} />
      <${Figure} name="running" label="running" value=${tasks ? tasks.running + tasks.leased : '…'} />
      <${Figure} name="last-hour" label="done, last hour" value=${stats ? stats.last_hour.tasks : '…'} />
    </div>`;
}

function FairQueue({ queue }) {
  if (!queue) return html`<p class="muted">Loading…</p>`;
  if (queue.nodes.length === 0) {
    return html`<p class="muted">No node is waiting for work. Tasks queued: ${queue.queued_tasks}.</p>`;
  }
  return html`
    <p class="muted">Tasks queued: ${queue.queued_tasks}. Nodes asking for work, in the order they get it:</p>
    <div class="table-wrap" tabindex="0" role="region" aria-label="Fair queue">
      <table>
        <thead><tr><th scope="col">#</th><th scope="col">Node</th><th scope="col">Band</th>
          <th scope="col">Score</th><th scope="col">Waiting</th><th scope="col">Why here</th></tr></thead>
        <tbody>${queue.nodes.map((n) => html`<tr key=${n.node_id}>
          <td>${n.position}</td><td class="mono">${n.node_id}</td><td>${n.band}</td>
          <td>${n.score.toFixed(2)}</td><td>${n.wait_time.toFixed(1)} s</td><td>${n.reason}</td></tr>`)}
        </tbody>
      </table>
    </div>`;
}

export function Overview() {
  useTick(5000);
  const nodes = useLiveData(() => api('GET', '/v1/nodes').then((d) => d.nodes), nodeEvent, [], 5000);
  const stats = useLiveData(() => api('GET', '/v1/stats'), anyEvent);
  const queue = useLiveData(() => api('GET', '/v1/stats/nodes/queue'), anyEvent);
  const error = nodes.error || stats.error || queue.error;
  return html`
    <section>
      <h1>Overview</h1>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      <${Summary} nodes=${nodes.data} stats=${stats.data} />
      <div class="charts">
        <${Chart} label="Tasks finished per minute" bars=${true}
          series=${[{ label: 'finished', colour: '--accent', fill: '--accent-soft' }]}
          getData=${() => live.finishedSeries()} />
        <${Chart} label="Pool resources in use"
          series=${[{ label: 'CPUs in use', colour: '--accent', fill: '--accent-soft' },
            { label: 'CPUs online', colour: '--muted' },
            { label: 'GPUs in use', colour: '--warn' }]}
          getData=${() => live.usageSeries()} />
      </div>
      <h2>Nodes</h2>
      <${NodesTable} nodes=${nodes.data} />
      <h2>Fair queue</h2>
      <${FairQueue} queue=${queue.data} />
    </section>`;
}
