// /web/tasks/{id}: spec, attempts, node, timings, output (live, download), why it is
// not running when queued, cancel.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { between, cpus, duration, isFinished, memory, when } from '../format.js';
import { Output, downloadOutput } from '../parts/output.js';
import { whyQueued } from '../parts/why.js';
import { useLiveData, useTick } from '../parts/hooks.js';

function Row({ label, children }) {
  return html`<div class="row"><dt>${label}</dt><dd>${children}</dd></div>`;
}

function Why({ task }) {
  const nodes = useLiveData(() => api('GET', '/v1/nodes').then((d) => d.nodes),
    (e) => e.type.startsWith('node_') || e.type.startsWith('task_'));
  if (!nodes.data) return null;
  return html`<div class="why" role="status" data-why=${task.task_id}>
    <h2>Why is it not running?</h2>
    ${whyQueued(task, nodes.data).map((reason) => html`<p>${reason}</p>`)}
  </div>`;
}

export function TaskPage({ id }) {
  useTick(5000);
  const [message, setMessage] = useState('');
  const task = useLiveData(() => api('GET', `/v1/tasks/${id}`), (e) => e.task_id === id);
  const t = task.data;
  if (task.error && !t) return html`<section><h1>Task #${id}</h1><p class="error" role="alert">${task.error.message}</p></section>`;
  if (!t) return html`<section><h1>Task #${id}</h1><p class="muted">Loading…</p></section>`;
  const result = t.result || {};
  const cancel = async () => {
    setMessage('');
    try {
      await api('DELETE', `/v1/tasks/${id}`);
      setMessage('Cancel requested.');
      task.reload();
    } catch (failure) {
      setMessage(`Could not cancel: ${failure.message}`);
    }
  };
  return html`
    <section>
      <h1>Task #${t.task_id}${t.name && html` <span class="muted">${t.name}</span>`}</h1>
      <p><span class=${`pill pill-${t.status}`} data-task-state=${t.status}>${t.status}</span>
        ${t.cancel_requested && !isFinished(t.status) && html` <span class="muted">cancel requested</span>`}</p>
      <div class="actions">
        ${!isFinished(t.status) && html`<button class="danger" onClick=${cancel}>Cancel task</button>`}
        <button onClick=${() => downloadOutput(id).catch((e) => setMessage(e.message))}>Download output</button>
        ${message && html`<span role="status">${message}</span>`}
      </div>
      ${t.status === 'queued' && html`<${Why} task=${t} />`}
      <div class="columns">
        <dl class="facts">
          <${Row} label="Owner">${t.owner}</${Row}>
          <${Row} label="Interpreter"><code>${t.interpreter || '#! line'}</code></${Row}>
          <${Row} label="Asks for">${cpus(t.resources.cpu)} CPU, ${memory(t.resources.memory)}, ${t.resources.gpu} GPU</${Row}>
          <${Row} label="Priority">${t.priority}</${Row}>
          <${Row} label="Timeout">${duration(t.timeout)}</${Row}>
          <${Row} label="Leases lost">${t.attempt} (retried up to ${t.max_retries} times)</${Row}>
          <${Row} label="Node"><span class="mono">${t.node_id || '—'}</span></${Row}>
          <${Row} label="Submitted">${when(t.created_at)}</${Row}>
          <${Row} label="Started">${when(t.started_at)}</${Row}>
          <${Row} label="Finished">${when(t.finished_at)}</${Row}>
          <${Row} label="Ran for">${result.wall_time !== undefined ? duration(result.wall_time) : duration(between(t.started_at, t.finished_at))}</${Row}>
          ${result.reason && html`<${Row} label="Reason">${result.reason}</${Row}>`}
        </dl>
        <div>
          <h2>Code</h2>
          <pre class="code" tabindex="0">${t.code}</pre>
        </div>
      </div>
      <h2>Output</h2>
      <${Output} id=${id} key=${id} onFinished=${() => task.reload()} />
    </section>`;
}
