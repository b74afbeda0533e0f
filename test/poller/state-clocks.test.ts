// The state clocks: since when a connector or task has been in its state. Pure folding in reconcile(), and the file
// that carries them across restarts of connect-sentinel.

import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorStatus, StatusPoll, TaskStatus } from '../../src/domain/model.ts';
import { initialState, reconcile, type PollOutcome, type ReconcileState } from '../../src/poller/reconcile.ts';
import { decodeClocks, openStateClocks, STATE_CLOCKS_FILE } from '../../src/poller/state-clocks.ts';
import { nodeStoreFs, type StoreFs } from '../../src/storage/fs.ts';
import { captureLog } from '../support/log-capture.ts';

const T = 1_700_000_000_000;

function task(id: number, state: TaskStatus['state']): TaskStatus {
  return { id, state, workerId: 'w1:8083' };
}

function connector(name: string, state: ConnectorStatus['state'], tasks: TaskStatus[] = []): ConnectorStatus {
  return { name, type: 'sink', connectorClass: 'x.Sink', state, workerId: 'w1:8083', tasks };
}

function ok(...connectors: ConnectorStatus[]): PollOutcome {
  const poll: StatusPoll = { connectors, mode: 'expanded', missingStatus: [], workerUrl: 'http://w1:8083' };
  return { ok: true, poll };
}

/** One poll a minute from T; returns each result. */
function run(outcomes: PollOutcome[], start: ReconcileState = initialState('c1')) {
  let state = start;
  return outcomes.map((outcome, i) => {
    const result = reconcile(state, outcome, { now: T + i * 60_000, durationSeconds: 0 });
    state = result.state;
    return result;
  });
}

const entry = (result: { state: ReconcileState }, name: string) => result.state.view.connectors.find((c) => c.status.name === name)!;

describe('state clocks in reconcile()', () => {
  it('start at the first poll that sees a state, hold while it lasts and restart when it changes', () => {
    const results = run([
      ok(connector('a', 'running', [task(0, 'running'), task(1, 'running')])),
      ok(connector('a', 'running', [task(0, 'running'), task(1, 'failed')])),
      ok(connector('a', 'running', [task(0, 'running'), task(1, 'failed')])),
      ok(connector('a', 'paused', [task(0, 'paused'), task(1, 'failed')])),
    ]);
    expect(results.map((r) => entry(r, 'a').stateSince)).toEqual([T, T, T, T + 180_000]);
    expect(results.map((r) => entry(r, 'a').taskStateSince)).toEqual([
      [T, T],
      [T, T + 60_000],
      [T, T + 60_000],
      [T + 180_000, T + 60_000],
    ]);
    expect(results.map((r) => r.statesChanged)).toEqual([true, true, false, true]);
  });

  it('match tasks by id, so a task removed or added does not move the clocks of the others', () => {
    const results = run([
      ok(connector('a', 'running', [task(0, 'running'), task(1, 'failed'), task(2, 'running')])),
      ok(connector('a', 'running', [task(1, 'failed'), task(2, 'running'), task(3, 'running')])),
    ]);
    expect(entry(results[1]!, 'a').taskStateSince).toEqual([T, T, T + 60_000]);
  });

  it('hold through failed polls and while a connector is absent, and end with its deletion', () => {
    const results = run([
      ok(connector('a', 'failed'), connector('b', 'running')),
      { ok: false },
      ok(connector('b', 'running')),
      ok(connector('b', 'running')),
      ok(connector('b', 'running')),
      ok(connector('a', 'failed'), connector('b', 'running')),
    ]);
    expect(results[1]!.statesChanged).toBe(false);
    expect(entry(results[3]!, 'a').stateSince).toBe(T);
    expect(results[4]!.deleted).toEqual(['a']);
    expect(results[4]!.statesChanged).toBe(true);
    // Deleted, then created again: a new connector with a new clock.
    expect(entry(results[5]!, 'a').stateSince).toBe(T + 5 * 60_000);
    expect(entry(results[5]!, 'b').stateSince).toBe(T);
  });

  it('continue a saved clock when the first poll finds the same state, and start anew when it does not', () => {
    const remembered = new Map([
      ['same', { state: 'failed', since: T - 3_600_000, tasks: [{ id: 0, state: 'failed' }, { id: 1, state: 'running' }], taskSince: [T - 7_200_000, T - 60_000] }],
      ['changed', { state: 'paused', since: T - 3_600_000, tasks: [], taskSince: [] }],
    ]);
    const [first, second] = run(
      [ok(connector('same', 'failed', [task(0, 'failed'), task(1, 'failed')]), connector('changed', 'running')), ok(connector('same', 'failed'))],
      initialState('c1', remembered),
    );
    expect(entry(first!, 'same').stateSince).toBe(T - 3_600_000);
    expect(entry(first!, 'same').taskStateSince).toEqual([T - 7_200_000, T]);
    expect(entry(first!, 'changed').stateSince).toBe(T);
    // Used once: the saved clocks do not outlive the first poll that answered.
    expect(first!.state.remembered.size).toBe(0);
    expect(entry(second!, 'same').stateSince).toBe(T - 3_600_000);
  });

  it('keep a saved clock for a connector whose status the first poll could not read', () => {
    const remembered = new Map([['later', { state: 'failed', since: T - 3_600_000, tasks: [], taskSince: [] }]]);
    const unreadable: PollOutcome = { ok: true, poll: { connectors: [], mode: 'expanded', missingStatus: ['later'], workerUrl: 'http://w1:8083' } };
    const [, second] = run([unreadable, ok(connector('later', 'failed'))], initialState('c1', remembered));
    expect(entry(second!, 'later').stateSince).toBe(T - 3_600_000);
  });
});

describe('the state clocks file', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const view = (cluster: string, ...connectors: { status: ConnectorStatus; stateSince: number; taskStateSince: number[] }[]) => ({
    cluster,
    up: true,
    pollDurationSeconds: 0,
    lastSuccessTimestampSeconds: T / 1000,
    plugins: [],
    connectors: connectors.map((c) => ({ ...c, observedAt: T })),
  });

  it('carries the clocks of every cluster to the next run, and drops clusters no longer watched', async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-clocks-'));
    const { logger } = captureLog();
    const clocks = await openStateClocks({ dataDir: dir, logger, writeIntervalMs: 60_000 });
    expect(clocks.takeRemembered('prod').size).toBe(0);
    clocks.update(view('prod', { status: connector('a "quoted"/name', 'failed', [task(0, 'failed'), task(3, 'running')]), stateSince: T - 5, taskStateSince: [T - 4, T - 3] }));
    clocks.update(view('gone', { status: connector('b', 'running'), stateSince: T, taskStateSince: [] }));
    clocks.retain(['prod']);
    await clocks.close();

    const again = await openStateClocks({ dataDir: dir, logger });
    expect(again.takeRemembered('gone').size).toBe(0);
    expect([...again.takeRemembered('prod')]).toEqual([
      ['a "quoted"/name', { state: 'failed', since: T - 5, tasks: [{ id: 0, state: 'failed' }, { id: 3, state: 'running' }], taskSince: [T - 4, T - 3] }],
    ]);
    // Taken once: a cluster added again later starts afresh.
    expect(again.takeRemembered('prod').size).toBe(0);
    await again.close();
  });

  it('keeps the clocks of a cluster not polled yet when it writes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-clocks-'));
    const { logger } = captureLog();
    const first = await openStateClocks({ dataDir: dir, logger });
    first.update(view('slow', { status: connector('a', 'failed'), stateSince: T - 5, taskStateSince: [] }));
    await first.close();
    const second = await openStateClocks({ dataDir: dir, logger });
    second.update(view('fast', { status: connector('b', 'running'), stateSince: T, taskStateSince: [] }));
    await second.close();
    const third = await openStateClocks({ dataDir: dir, logger });
    expect(third.takeRemembered('slow').get('a')?.since).toBe(T - 5);
    expect(third.takeRemembered('fast').get('b')?.since).toBe(T);
    await third.close();
  });

  it('moves a damaged file aside with one warning naming it and the problem, and starts afresh', async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-clocks-'));
    await writeFile(join(dir, STATE_CLOCKS_FILE), '{"version":1,"clusters":{"prod":{"a":["failed","yesterday",[]]}}}');
    const { logger, lines } = captureLog();
    const clocks = await openStateClocks({ dataDir: dir, logger, now: () => T });
    expect(clocks.takeRemembered('prod').size).toBe(0);
    const warning = lines().find((line) => line.level === 'warn');
    expect(warning?.msg).toContain('clusters.prod.a is not [state, sinceMs, tasks]');
    const files = await readdir(dir);
    expect(files).toContain(`${STATE_CLOCKS_FILE}.corrupt-20231114T221320Z`);
    expect(await readFile(join(dir, `${STATE_CLOCKS_FILE}.corrupt-20231114T221320Z`), 'utf8')).toContain('yesterday');
    await clocks.close();
  });

  it('refuses anything but its format, saying where', () => {
    expect(() => decodeClocks('{"version":2,"clusters":{}}')).toThrow('not a version 1 state clocks document');
    expect(() => decodeClocks('{"version":1,"clusters":{"c":{"a":["failed",1,[[0,"failed"]]]}}}')).toThrow('clusters.c.a has a task that is not [id, state, sinceMs]');
    expect(() => decodeClocks('{"version":1,"clusters":{"c":[]}}')).toThrow('clusters.c is not an object');
  });

  it('logs one warning while writes fail and one line when they work again, and then writes what it missed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'state-clocks-'));
    let failing = true;
    const fs: StoreFs = {
      ...nodeStoreFs,
      writeFileDurably: (path, data) => (failing ? Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' })) : nodeStoreFs.writeFileDurably(path, data)),
    };
    const { logger, lines } = captureLog();
    const clocks = await openStateClocks({ dataDir: dir, logger, fs, writeIntervalMs: 60_000 });
    clocks.update(view('prod', { status: connector('a', 'failed'), stateSince: T, taskStateSince: [] }));
    await clocks.flush();
    await clocks.flush();
    expect(await readdir(dir)).toEqual([]);
    failing = false;
    await clocks.close();
    const messages = lines().map((line) => String(line.msg));
    expect(messages.filter((msg) => msg.includes('cannot be written (ENOSPC)'))).toHaveLength(1);
    expect(messages.filter((msg) => msg.includes('are written again'))).toHaveLength(1);
    expect(decodeClocks(await readFile(join(dir, STATE_CLOCKS_FILE), 'utf8')).get('prod')?.get('a')?.since).toBe(T);
  });
});
