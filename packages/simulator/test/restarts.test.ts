import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimCluster } from '../src/cluster.ts';
import { startSimulator, type Simulator } from '../src/index.ts';
import { RestartEngine } from '../src/restarts.ts';
import { kafkaProfile } from '../src/version.ts';
import { call, get, json } from './http.ts';

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';

interface Status {
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}

async function status(sim: Simulator, name: string): Promise<Status> {
  return json(await get(sim, `/connectors/${name}/status`)) as Status;
}

describe('restarts', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  async function start(version = '3.9.0'): Promise<Simulator> {
    sim = await startSimulator({ version });
    sim.cluster.add({
      name: 'sink',
      connectorClass: JDBC_SINK,
      tasks: [{}, { state: 'FAILED', failure: 'jdbc-sink-batch' }, { state: 'PAUSED' }],
    });
    return sim;
  }

  it('answers 202 with a plan: RESTARTING keeps the old trace in the plan, the status drops it', async () => {
    await start();
    const failedTrace = (await status(sim, 'sink')).tasks[1]!.trace!;
    const reply = await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true&onlyFailed=true');
    expect(reply.status).toBe(202);
    expect(reply.headers['content-type']).toBe('application/json');
    const plan = json(reply) as Status;
    expect(plan.connector.state).toBe('RUNNING');
    expect(plan.tasks.map((task) => task.state)).toEqual(['RUNNING', 'RESTARTING', 'PAUSED']);
    expect(plan.tasks[1]!.trace).toBe(failedTrace);
    const during = await status(sim, 'sink');
    expect(during.tasks[1]).toEqual({ id: 1, state: 'RESTARTING', worker_id: expect.any(String) });
    expect(sim.pendingTransitions).toBe(1);
    expect(sim.settle()).toBe(1);
    expect((await status(sim, 'sink')).tasks.map((task) => task.state)).toEqual(['RUNNING', 'RUNNING', 'PAUSED']);
  });

  it('restarts the connector and every task with includeTasks=true alone', async () => {
    await start();
    const plan = json(await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true')) as Status;
    expect(plan.connector.state).toBe('RESTARTING');
    expect(plan.tasks.map((task) => task.state)).toEqual(['RESTARTING', 'RESTARTING', 'RESTARTING']);
    expect(sim.settle()).toBe(4);
    expect((await status(sim, 'sink')).tasks.map((task) => task.state)).toEqual(['RUNNING', 'RUNNING', 'RUNNING']);
  });

  it('answers a no-op plan with 202 when onlyFailed finds nothing failed', async () => {
    await start();
    sim.cluster.setTaskState('sink', 1, 'RUNNING');
    const reply = await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true&onlyFailed=true');
    expect(reply.status).toBe(202);
    expect(JSON.stringify(json(reply))).not.toContain('RESTARTING');
    expect(sim.pendingTransitions).toBe(0);
  });

  it('parses the flags as Java booleans: only "true", in any case, is true', async () => {
    await start();
    for (const query of ['includeTasks=1', 'includeTasks=yes&onlyFailed=on', 'includeTasks=', '']) {
      const reply = await call(sim, 'POST', `/connectors/sink/restart${query === '' ? '' : `?${query}`}`);
      expect({ query, status: reply.status, body: reply.text }).toEqual({ query, status: 204, body: '' });
    }
    expect((await call(sim, 'POST', '/connectors/sink/restart?includeTasks=TRUE')).status).toBe(202);
  });

  it('restarts only the connector on the 204 path, and the status changes only when it settles', async () => {
    await start();
    sim.cluster.failConnector('sink', 'config-missing');
    expect((await call(sim, 'POST', '/connectors/sink/restart')).status).toBe(204);
    expect((await status(sim, 'sink')).connector.state).toBe('FAILED');
    sim.settle();
    const after = await status(sim, 'sink');
    expect(after.connector).toEqual({ state: 'RUNNING', worker_id: expect.any(String) });
    expect(after.tasks[1]!.state).toBe('FAILED');
  });

  it('ignores the flags before Kafka 3.0: 204, connector only', async () => {
    await start('2.8.2');
    const reply = await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true&onlyFailed=true');
    expect(reply.status).toBe(204);
    expect(reply.text).toBe('');
    expect(sim.settle()).toBe(1);
    expect((await status(sim, 'sink')).tasks[1]!.state).toBe('FAILED');
  });

  it('restarts one task with 204 and never shows RESTARTING for it', async () => {
    await start();
    const reply = await call(sim, 'POST', '/connectors/sink/tasks/1/restart');
    expect(reply.status).toBe(204);
    expect((await status(sim, 'sink')).tasks[1]!.state).toBe('FAILED');
    sim.settle();
    expect((await status(sim, 'sink')).tasks[1]!.state).toBe('RUNNING');
  });

  it('follows the script: failuresLeft fails again that many times, then recovers', async () => {
    await start();
    sim.cluster.setRestartScript('sink', 1, { failuresLeft: 2 });
    const trace = (await status(sim, 'sink')).tasks[1]!.trace;
    for (const expected of ['FAILED', 'FAILED', 'RUNNING']) {
      await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true&onlyFailed=true');
      sim.settle();
      const task = (await status(sim, 'sink')).tasks[1]!;
      expect(task.state).toBe(expected);
      if (expected === 'FAILED') expect(task.trace).toBe(trace);
    }
  });

  it('follows the script: a permanent fault fails after every restart, with the given failure', async () => {
    await start();
    sim.cluster.failConnector('sink');
    sim.cluster.setRestartScript('sink', undefined, { permanent: true, failure: 'config-missing' });
    for (let attempt = 0; attempt < 3; attempt++) {
      await call(sim, 'POST', '/connectors/sink/restart?onlyFailed=true');
      expect((await status(sim, 'sink')).connector.state).toBe('RESTARTING');
      sim.settle();
      const connector = (await status(sim, 'sink')).connector;
      expect(connector.state).toBe('FAILED');
      expect(connector.trace).toMatch(/^org\.apache\.kafka\.common\.config\.ConfigException: Missing required configuration/);
    }
  });

  it('answers 404 "Status for connector X not found" on the 202 path when there is no status yet', async () => {
    await start();
    sim.cluster.dropStatus('sink');
    const reply = await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true');
    expect(json(reply)).toEqual({ error_code: 404, message: 'Status for connector sink not found' });
  });

  it('drops a pending transition whose connector was deleted', async () => {
    await start();
    await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true');
    sim.cluster.remove('sink');
    expect(sim.settle()).toBe(4);
    expect(sim.cluster.get('sink')).toBeUndefined();
  });
});

describe('RestartEngine in auto mode', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('settles each restart after the delay, on timers', () => {
    vi.useFakeTimers();
    const cluster = new SimCluster(kafkaProfile('3.9.0'), ['w:8083']);
    cluster.add({ name: 'c', connectorClass: JDBC_SINK, tasks: [{ state: 'FAILED' }] });
    const engine = new RestartEngine(cluster, 'auto', 1000);
    engine.restart(cluster.record('c')!, 0, true);
    expect(cluster.get('c')!.tasks[0]!.state).toBe('RESTARTING');
    vi.advanceTimersByTime(999);
    expect(cluster.get('c')!.tasks[0]!.state).toBe('RESTARTING');
    vi.advanceTimersByTime(1);
    expect(cluster.get('c')!.tasks[0]!.state).toBe('RUNNING');
    expect(engine.pending).toBe(0);
    engine.close();
  });

  it('replaces a pending restart of the same instance instead of stacking it', () => {
    vi.useFakeTimers();
    const cluster = new SimCluster(kafkaProfile('3.9.0'), ['w:8083']);
    cluster.add({ name: 'c', connectorClass: JDBC_SINK, tasks: [{ state: 'FAILED', restart: { failuresLeft: 1 } }] });
    const engine = new RestartEngine(cluster, 'auto', 1000);
    engine.restart(cluster.record('c')!, 0, true);
    engine.restart(cluster.record('c')!, 0, true);
    expect(engine.pending).toBe(1);
    vi.advanceTimersByTime(1000);
    // The first restart consumed the one failure; the second one's outcome is the one that shows.
    expect(cluster.get('c')!.tasks[0]!.state).toBe('RUNNING');
    engine.close();
  });
});
