// Why a queued task is not running, from what /v1 shows: the task's own reason when the
// server gives one, else its request set against the nodes online and their state.
import { cpus, memory, nodeState } from '../format.js';

export function whyQueued(task, nodes) {
  const reasons = [];
  const own = task.reason || (task.result && task.result.reason);
  if (own) reasons.push(own);
  const online = nodes.filter((node) => node.status !== 'offline');
  if (online.length === 0) {
    reasons.push('No node is online: it runs when one joins.');
    return reasons;
  }
  const want = task.resources;
  const most = (key) => Math.max(...online.map((node) => node.capacity[key]));
  const short = [];
  if (want.gpu > most('gpu')) short.push(`${want.gpu} GPUs (the most any online node has is ${most('gpu')})`);
  if (want.cpu > most('cpu')) short.push(`${cpus(want.cpu)} CPUs (the most is ${cpus(most('cpu'))})`);
  if (want.memory > most('memory')) short.push(`${memory(want.memory)} of memory (the most is ${memory(most('memory'))})`);
  if (short.length) {
    reasons.push(`No online node can take it: it asks for ${short.join(' and ')}. It waits until a node that big joins, or cancel it and ask for less.`);
    return reasons;
  }
  const free = online.filter((node) => nodeState(node) === 'idle');
  if (free.length === 0) {
    reasons.push('Every online node is busy or its owner is back; it runs when one frees up.');
  } else {
    reasons.push(`Waiting for one of ${free.length} idle nodes to ask for work; tasks of higher priority or submitted earlier go first, and labels it asks for must match.`);
  }
  return reasons;
}
