// The submit form's text fields turned into the POST /v1/tasks body, each bad field
// named; and the array range, which the console expands into one task per index the way
// ia-submit --array does (IA_ARRAY_INDEX set, the name suffixed "[i]").

export const ARRAY_VARIABLE = 'IA_ARRAY_INDEX';
const MAX_ARRAY = 1000;

function lines(text) {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

export function parseEnv(text) {
  const env = {};
  for (const [i, line] of lines(text).entries()) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`Environment, line ${i + 1}: write NAME=value, got '${line}'`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

export function parseArray(text) {
  const range = text.trim();
  if (range === '') return null;
  const found = /^(\d+)(?:\s*-\s*(\d+)(?::(\d+))?)?$/.exec(range);
  if (!found) throw new Error(`Array range: write FIRST-LAST[:STEP], like 0-9, got '${range}'`);
  const first = Number(found[1]);
  const last = Number(found[2] ?? found[1]);
  const step = Number(found[3] ?? 1);
  if (last < first) throw new Error(`Array range: ${last} is below ${first}`);
  if (step < 1) throw new Error('Array range: the step must be 1 or more');
  const count = Math.floor((last - first) / step) + 1;
  if (count > MAX_ARRAY) throw new Error(`Array range: at most ${MAX_ARRAY} tasks at once`);
  return Array.from({ length: count }, (_, i) => first + i * step);
}

function number(form, key, label, integer) {
  const text = String(form[key]).trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new Error(`${label}: not ${integer ? 'a whole number' : 'a number'}: '${text}'`);
  }
  return value;
}

// The bodies to POST, one per array index (or one).
export function buildSpecs(form) {
  if (form.code.trim() === '') throw new Error('Code: write the script to run');
  const base = {
    code: form.code,
    interpreter: form.interpreter.trim(),
    name: form.name.trim(),
    args: lines(form.args),
    env: parseEnv(form.env),
    timeout: number(form, 'timeout', 'Timeout', true),
    resources: {
      cpu: number(form, 'cpu', 'CPUs', false),
      memory: number(form, 'memory', 'Memory', true),
      gpu: number(form, 'gpu', 'GPUs', true),
    },
    labels: form.labels.split(/[\s,]+/).filter((label) => label !== ''),
    priority: number(form, 'priority', 'Priority', true),
  };
  const indexes = parseArray(form.array);
  if (!indexes) return [base];
  return indexes.map((index) => ({
    ...base,
    name: `${base.name || 'task'}[${index}]`,
    env: { ...base.env, [ARRAY_VARIABLE]: String(index) },
  }));
}
