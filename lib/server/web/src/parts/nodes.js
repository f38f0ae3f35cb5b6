// The nodes table, shared by the overview and the monitor.
import { html } from 'htm/preact';
import { Link } from '../router.js';
import { ago, cpus, memory, nodeState, when } from '../format.js';

export function NodesTable({ nodes, detail = false }) {
  if (!nodes) return html`<p class="muted">Loading nodes…</p>`;
  if (nodes.length === 0) {
    return html`<p class="muted">No node has joined yet. Start one with <code>ia-node run</code>.</p>`;
  }
  return html`
    <div class="table-wrap" tabindex="0" role="region" aria-label="Nodes">
      <table class="nodes">
        <thead><tr>
          <th scope="col">Node</th><th scope="col">State</th><th scope="col">CPUs</th>
          <th scope="col">Memory</th><th scope="col">GPUs</th>
          ${detail && html`<th scope="col">Running</th><th scope="col" class="wide">Done</th>`}
          <th scope="col">Last heartbeat</th>
        </tr></thead>
        <tbody>
          ${nodes.map((node) => {
            const state = nodeState(node);
            return html`<tr key=${node.node_id} data-node=${node.node_id} data-state=${state}>
              <td class="mono">${node.node_id}</td>
              <td><span class=${`pill pill-${state.replace(' ', '-')}`}>${state}</span></td>
              <td>${cpus(node.capacity.cpu)}</td>
              <td>${memory(node.capacity.memory)}</td>
              <td>${node.capacity.gpu}</td>
              ${detail && html`<td>${(node.running || []).length === 0 ? '—'
                : node.running.map((id) => html`<${Link} href=${`/web/tasks/${id}`}>#${id}</${Link}> `)}</td>
                <td class="wide">${node.completed}</td>`}
              <td title=${when(node.last_heartbeat)}>${ago(node.last_heartbeat)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
}
