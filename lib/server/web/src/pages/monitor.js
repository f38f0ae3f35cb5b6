// /web/monitor: the tasks table (filtered, paged, live) and the nodes table.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Link } from '../router.js';
import { allStates, between, duration, when } from '../format.js';
import { NodesTable } from '../parts/nodes.js';
import { useLiveData, useTick } from '../parts/hooks.js';

const PAGE = 50;
const taskEvent = (e) => e.type.startsWith('task_');
const nodeEvent = (e) => e.type.startsWith('node_') || e.type.startsWith('task_');

function TaskRow({ task }) {
  const result = task.result || {};
  return html`<tr data-task=${task.task_id} data-state=${task.status}>
    <td><${Link} href=${`/web/tasks/${task.task_id}`}>#${task.task_id}</${Link}></td>
    <td>${task.name || html`<span class="muted">—</span>`}</td>
    <td><span class=${`pill pill-${task.status}`}>${task.status}</span></td>
    <td class="wide">${task.owner}</td>
    <td class="wide mono">${task.node_id || '—'}</td>
    <td class="wide">${when(task.created_at)}</td>
    <td>${duration(between(task.started_at, task.finished_at))}</td>
    <td>${result.exit_code ?? '—'}</td>
  </tr>`;
}

export function Monitor() {
  useTick(5000);
  const [state, setState] = useState('');
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [cursors, setCursors] = useState([0]);
  const after = cursors[cursors.length - 1];
  const query = `/v1/tasks?limit=${PAGE}&after=${after}${state ? `&status=${state}` : ''}`;
  const tasks = useLiveData(() => api('GET', query), taskEvent, [query]);
  const nodes = useLiveData(() => api('GET', '/v1/nodes').then((d) => d.nodes), nodeEvent, [], 5000);
  const list = tasks.data ? tasks.data.tasks : null;
  const shown = list && list.filter((t) => (!name || (t.name || '').toLowerCase().includes(name.toLowerCase()))
    && (!owner || t.owner === owner));
  const pageNo = cursors.length;
  const pick = (setter) => (event) => { setter(event.target.value); setCursors([0]); };

  return html`
    <section>
      <h1>Monitor</h1>
      <h2 id="tasks-heading">Tasks</h2>
      <div class="filters" role="search" aria-labelledby="tasks-heading">
        <label>State <select name="state" value=${state} onChange=${pick(setState)}>
          <option value="">all</option>${allStates.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label>
        <label>Name <input name="name" type="search" value=${name} onInput=${(e) => setName(e.target.value)} placeholder="contains" /></label>
        <label>Owner <input name="owner" type="search" value=${owner} onInput=${(e) => setOwner(e.target.value)} placeholder="token name" /></label>
      </div>
      ${tasks.error && html`<p class="error" role="alert">${tasks.error.message}</p>`}
      ${!shown ? html`<p class="muted">Loading tasks…</p>` : html`
        <div class="table-wrap" tabindex="0" role="region" aria-label="Tasks">
          <table class="tasks">
            <thead><tr><th scope="col">Task</th><th scope="col">Name</th><th scope="col">State</th>
              <th scope="col" class="wide">Owner</th><th scope="col" class="wide">Node</th>
              <th scope="col" class="wide">Submitted</th><th scope="col">Ran</th><th scope="col">Exit</th></tr></thead>
            <tbody>${shown.map((task) => html`<${TaskRow} key=${task.task_id} task=${task} />`)}</tbody>
          </table>
        </div>
        ${shown.length === 0 && html`<p class="muted">No tasks${state || name || owner ? ' match these filters on this page' : ' yet'}.</p>`}`}
      <nav class="pager" aria-label="Task pages">
        <button disabled=${pageNo === 1} onClick=${() => setCursors(cursors.slice(0, -1))}>← Earlier</button>
        <span>page ${pageNo}</span>
        <button disabled=${!tasks.data || tasks.data.next_after === null}
          onClick=${() => setCursors([...cursors, tasks.data.next_after])}>Later →</button>
      </nav>
      <h2>Nodes</h2>
      ${nodes.error && html`<p class="error" role="alert">${nodes.error.message}</p>`}
      <${NodesTable} nodes=${nodes.data} detail=${true} />
    </section>`;
}
