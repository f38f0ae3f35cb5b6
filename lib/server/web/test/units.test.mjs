// The console's pure parts under node:test: the event-stream parser and the submit
// form's parsing (tests/cli/web-console.bats runs this file).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser } from '../src/sse.js';
import { buildSpecs, parseArray, parseEnv } from '../src/parts/spec.js';

function parse(chunks) {
  const events = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

test('sse: events split across chunks and line ends of every kind come out whole', () => {
  const events = parse([': hello\n\nid: 7\nevent: task_created\nda', 'ta: {"task_id":1}\r', '\n\r\nid: 8\rdata: a\rdata: b\r\r\n']);
  assert.deepEqual(events, [
    { id: '7', event: 'task_created', data: '{"task_id":1}' },
    { id: '8', event: 'message', data: 'a\nb' },
  ]);
});

test('sse: a \\r\\n split between chunks is one line end, not a blank line', () => {
  assert.deepEqual(parse(['data: a\r', '\ndata: b\n\n']), [{ id: null, event: 'message', data: 'a\nb' }]);
});

test('sse: an event not yet ended by a blank line is held back', () => {
  assert.deepEqual(parse(['id: 1\ndata: x\n']), []);
});

test('array range: FIRST-LAST[:STEP] like ia-submit --array, bad ones named', () => {
  assert.deepEqual(parseArray('2-5'), [2, 3, 4, 5]);
  assert.deepEqual(parseArray('0-10:5'), [0, 5, 10]);
  assert.deepEqual(parseArray('7'), [7]);
  assert.equal(parseArray('  '), null);
  assert.throws(() => parseArray('5-2'), /below/);
  assert.throws(() => parseArray('a-b'), /FIRST-LAST/);
  assert.throws(() => parseArray('0-5000'), /at most 1000/);
  assert.throws(() => parseArray('0-5:0'), /step/);
});

test('env: NAME=value a line; a line without a name says which', () => {
  assert.deepEqual(parseEnv('A=1\n\nB=x=y\n'), { A: '1', B: 'x=y' });
  assert.throws(() => parseEnv('A=1\n=2'), /line 2/);
});

const form = {
  name: 'job', interpreter: '/usr/bin/python3', code: 'print(1)\n', args: '--x\n1\n', env: 'K=v',
  timeout: '60', cpu: '0.5', memory: '256', gpu: '0', labels: 'zone=a, os=linux', priority: '2', array: '',
};

test('submit body: fields become the API body, an array one task per index', () => {
  const [one] = buildSpecs(form);
  assert.deepEqual(one, {
    code: 'print(1)\n', interpreter: '/usr/bin/python3', name: 'job', args: ['--x', '1'],
    env: { K: 'v' }, timeout: 60, resources: { cpu: 0.5, memory: 256, gpu: 0 },
    labels: ['zone=a', 'os=linux'], priority: 2,
  });
  const many = buildSpecs({ ...form, array: '1-2' });
  assert.deepEqual(many.map((s) => [s.name, s.env.IA_ARRAY_INDEX, s.env.K]), [['job[1]', '1', 'v'], ['job[2]', '2', 'v']]);
});

test('submit body: empty code and non-numbers are refused by name', () => {
  assert.throws(() => buildSpecs({ ...form, code: '  ' }), /Code/);
  assert.throws(() => buildSpecs({ ...form, timeout: '1.5' }), /Timeout: not a whole number/);
  assert.throws(() => buildSpecs({ ...form, cpu: 'lots' }), /CPUs: not a number/);
});
