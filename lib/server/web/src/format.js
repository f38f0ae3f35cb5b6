// Shown values: times in the browser's own zone, durations, sizes, states.

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '—';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export function between(startIso, endIso) {
  if (!startIso) return null;
  const end = endIso ? new Date(endIso).getTime() : Date.now();
  return (end - new Date(startIso).getTime()) / 1000;
}

export function memory(mib) {
  if (mib === undefined || mib === null) return '—';
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib} MiB`;
}

export function cpus(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

export const finishedStates = ['succeeded', 'failed', 'timed_out', 'cancelled'];
export const allStates = ['queued', 'leased', 'running', ...finishedStates];

export function isFinished(state) {
  return finishedStates.includes(state);
}

// A node's state as people say it: idle, busy, owner back (the machine's owner is using
// it, so it takes no work), offline.
export function nodeState(node) {
  if (node.status === 'offline') return 'offline';
  if (node.running && node.running.length > 0) return 'busy';
  if (node.idle === false) return 'owner back';
  return 'idle';
}
