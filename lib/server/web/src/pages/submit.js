// /web/submit: write a script, set what it needs, submit, then watch its output live.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Link } from '../router.js';
import { Editor, languageOf } from '../parts/editor.js';
import { Output } from '../parts/output.js';
import { ARRAY_VARIABLE, buildSpecs } from '../parts/spec.js';

const EXAMPLE = `import platform, time

print("hello from", platform.node())
time.sleep(1)
print("done")
`;

const INITIAL = {
  name: '', interpreter: '/usr/bin/python3', code: EXAMPLE, args: '', env: '', timeout: '300',
  cpu: '1', memory: '512', gpu: '0', labels: '', priority: '0', array: '',
};

function Field({ id, label, hint, children }) {
  return html`<div class="field"><label for=${id}>${label}</label>${children}${hint && html`<small id=${`${id}-hint`}>${hint}</small>`}</div>`;
}

export function Submit() {
  const [form, setForm] = useState(INITIAL);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState([]);
  const set = (key) => (event) => setForm({ ...form, [key]: event.target.value });
  const input = (key, type = 'text', extra = {}) => html`
    <input id=${`f-${key}`} name=${key} type=${type} value=${form[key]} onInput=${set(key)}
      aria-describedby=${`f-${key}-hint`} ...${extra} />`;

  const submit = async (event) => {
    event.preventDefault();
    setError('');
    let specs;
    try {
      specs = buildSpecs(form);
    } catch (failure) {
      setError(failure.message);
      return;
    }
    setBusy(true);
    const ids = [];
    try {
      for (const spec of specs) ids.push((await api('POST', '/v1/tasks', spec)).task_id);
    } catch (failure) {
      setError(`${failure.message}${failure.details ? ` (${failure.details})` : ''}`);
    }
    setBusy(false);
    if (ids.length) setSubmitted(ids);
  };

  return html`
    <section>
      <h1>Submit a task</h1>
      <form class="submit" onSubmit=${submit}>
        <div class="code-field">
          <label id="code-label">Code</label>
          <${Editor} value=${form.code} language=${languageOf(form.interpreter)} label="Code"
            onChange=${(code) => setForm((old) => ({ ...old, code }))} />
        </div>
        <div class="grid">
          <${Field} id="f-interpreter" label="Interpreter" hint="Path or name on the node; empty: the script's #! line">
            ${input('interpreter', 'text', { list: 'interpreters', spellcheck: false })}
            <datalist id="interpreters"><option value="/usr/bin/python3" /><option value="/bin/sh" /><option value="/bin/bash" /></datalist>
          </${Field}>
          <${Field} id="f-name" label="Name" hint="Shown in the monitor">${input('name')}</${Field}>
          <${Field} id="f-timeout" label="Timeout (s)">${input('timeout', 'number', { min: 1 })}</${Field}>
          <${Field} id="f-cpu" label="CPUs">${input('cpu', 'number', { min: 0, step: 0.1 })}</${Field}>
          <${Field} id="f-memory" label="Memory (MiB)">${input('memory', 'number', { min: 0 })}</${Field}>
          <${Field} id="f-gpu" label="GPUs">${input('gpu', 'number', { min: 0 })}</${Field}>
          <${Field} id="f-priority" label="Priority" hint="Higher runs first">${input('priority', 'number')}</${Field}>
          <${Field} id="f-labels" label="Labels" hint="key=value the node must carry, space separated">${input('labels')}</${Field}>
          <${Field} id="f-array" label="Array range" hint=${`e.g. 0-9 or 0-100:10: one task each, index in $${ARRAY_VARIABLE}`}>${input('array', 'text', { placeholder: 'none' })}</${Field}>
          <${Field} id="f-args" label="Arguments" hint="One a line">
            <textarea id="f-args" name="args" rows="2" value=${form.args} onInput=${set('args')} aria-describedby="f-args-hint"></textarea>
          </${Field}>
          <${Field} id="f-env" label="Environment" hint="NAME=value, one a line">
            <textarea id="f-env" name="env" rows="2" value=${form.env} onInput=${set('env')} aria-describedby="f-env-hint"></textarea>
          </${Field}>
        </div>
        <div class="actions">
          <button type="submit" disabled=${busy}>${busy ? 'Submitting…' : 'Submit'}</button>
          ${error && html`<p class="error" role="alert">${error}</p>`}
        </div>
      </form>
      ${submitted.length > 0 && html`
        <div class="submitted" aria-live="polite">
          <h2>Task ${submitted.map((id) => html`<${Link} href=${`/web/tasks/${id}`} data-task-link=${id}>#${id}</${Link}> `)}</h2>
          <${Output} id=${submitted[0]} key=${submitted[0]} />
        </div>`}
    </section>`;
}
