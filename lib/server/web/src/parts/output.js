// A task's output, followed live with long polls of GET /v1/tasks/{id}/output: stdout
// and stderr told apart (the server marks stderr's byte ranges), then the exit status.
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.js';

const WAIT_S = 25;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Splits one answer's data into [{text, stderr}] runs; the ranges are byte offsets
// into this answer's data.
export function runs(data, ranges) {
  const bytes = encoder.encode(data);
  const out = [];
  let at = 0;
  const add = (from, to, stderr) => {
    if (to > from) out.push({ text: decoder.decode(bytes.subarray(from, to)), stderr });
  };
  for (const [begin, end] of ranges || []) {
    add(at, begin, false);
    add(begin, end, true);
    at = end;
  }
  add(at, bytes.length, false);
  return out;
}

function statusLine(task) {
  if (!task) return '';
  const result = task.result || {};
  if (task.status === 'succeeded') return `exit status ${result.exit_code}`;
  if (task.status === 'failed') {
    return result.exit_code === null || result.exit_code === undefined
      ? `failed: ${result.reason || 'no exit status'}` : `exit status ${result.exit_code}`;
  }
  if (task.status === 'timed_out') return `timed out${result.reason ? `: ${result.reason}` : ''}`;
  if (task.status === 'cancelled') return `cancelled${result.reason ? `: ${result.reason}` : ''}`;
  return '';
}

// Follows the output of task id; onFinished(task) once it ends.
export function Output({ id, onFinished }) {
  const [parts, setParts] = useState([]);
  const [final, setFinal] = useState(null);
  const [error, setError] = useState('');
  const [truncated, setTruncated] = useState(false);
  const box = useRef(null);
  const stuck = useRef(true);

  useEffect(() => {
    const controller = new AbortController();
    let offset = 0;
    const follow = async () => {
      for (;;) {
        try {
          const answer = await api('GET', `/v1/tasks/${id}/output?offset=${offset}&wait=${WAIT_S}`,
            undefined, { signal: controller.signal });
          if (answer.data) setParts((old) => old.concat(runs(answer.data, answer.stderr_ranges)));
          offset = answer.next_offset;
          setTruncated(answer.truncated);
          setError('');
          if (answer.finished) break;
        } catch (failure) {
          if (failure.name === 'AbortError') return;
          setError(failure instanceof ApiError ? failure.message : String(failure));
          if (failure.status >= 400 && failure.status < 500) return;
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
      }
      const task = await api('GET', `/v1/tasks/${id}`, undefined, { signal: controller.signal });
      setFinal(task);
      if (onFinished) onFinished(task);
    };
    follow().catch(() => {});
    return () => controller.abort();
  }, [id]);

  useEffect(() => {
    if (box.current && stuck.current) box.current.scrollTop = box.current.scrollHeight;
  }, [parts]);
  const scrolled = () => {
    const el = box.current;
    stuck.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
  };

  return html`
    <div class="output-block">
      <pre class="output" ref=${box} onScroll=${scrolled} tabindex="0" aria-label="Output" aria-live="polite"
        data-output=${id}>${parts.length === 0 && !final ? html`<span class="muted">waiting for output…</span>` : null}${parts.map((p, i) => html`<span key=${i} class=${p.stderr ? 'stderr' : 'stdout'}>${p.text}</span>`)}</pre>
      <p class="legend"><span class="stdout">stdout</span> <span class="stderr">stderr</span>
        ${truncated && html`<span class="warn-text">output truncated by the task's output limit</span>`}</p>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      ${final
        ? html`<p class=${`exit exit-${final.status}`} role="status" data-exit=${final.status}>${statusLine(final)}</p>`
        : html`<p class="muted" role="status">no exit status yet</p>`}
    </div>`;
}

// Downloads the whole output as it is now, stdout and stderr interleaved.
export async function downloadOutput(id) {
  const answer = await api('GET', `/v1/tasks/${id}/output?offset=0`);
  const url = URL.createObjectURL(new Blob([answer.data], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `task-${id}-output.txt`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
