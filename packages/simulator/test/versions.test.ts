import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.ts';
import { call, get, json } from './http.ts';

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';

describe('version matrix', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  async function start(version: string): Promise<Simulator> {
    sim = await startSimulator({ version });
    sim.cluster.add({ name: 'sink', connectorClass: JDBC_SINK, tasks: [{}, { state: 'FAILED' }] });
    return sim;
  }

  const MATRIX = [
    { version: '2.2.2', server: 'Jetty(9.4.14.v20181114)', expand: false, plan: false, stop: false, health: false, topics: false, tasksConfig: false },
    { version: '2.8.2', server: 'Jetty(9.4.39.v20210325)', expand: true, plan: false, stop: false, health: false, topics: true, tasksConfig: true },
    { version: '3.4.0', server: 'Jetty(9.4.48.v20220622)', expand: true, plan: true, stop: false, health: false, topics: true, tasksConfig: true },
    { version: '3.9.0', server: 'Jetty(9.4.56.v20240826)', expand: true, plan: true, stop: true, health: true, topics: true, tasksConfig: true },
    { version: '4.1.0', server: 'Jetty(12.0.22)', expand: true, plan: true, stop: true, health: true, topics: true, tasksConfig: false },
    { version: '7.5.0-ccs', server: 'Jetty(9.4.51.v20230217)', expand: true, plan: true, stop: true, health: false, topics: true, tasksConfig: true },
  ];

  it.each(MATRIX)('$version behaves as its Kafka version', async (row) => {
    await start(row.version);
    const root = await get(sim, '/');
    expect(root.headers['server']).toBe(row.server);
    expect(json(root)).toMatchObject({ version: row.version });

    const listing = json(await get(sim, '/connectors?expand=status&expand=info'));
    expect(Array.isArray(listing)).toBe(!row.expand);

    const restart = await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true&onlyFailed=true');
    expect(restart.status).toBe(row.plan ? 202 : 204);
    sim.settle();

    const stop = await call(sim, 'PUT', '/connectors/sink/stop');
    expect(stop.status).toBe(row.stop ? 204 : 404);
    if (!row.stop) expect(stop.text).toBe('{"error_code":404,"message":"HTTP 404 Not Found"}');

    const health = await get(sim, '/health');
    expect(health.status).toBe(row.health ? 200 : 404);

    expect((await get(sim, '/connectors/sink/topics')).status).toBe(row.topics ? 200 : 404);
    expect((await get(sim, '/connectors/sink/tasks-config')).status).toBe(row.tasksConfig ? 200 : 404);
  });

  it('adds a plugin version to connector and task status entries from 4.1', async () => {
    await start('4.1.0');
    const status = json(await get(sim, '/connectors/sink/status')) as {
      connector: Record<string, unknown>;
      tasks: Array<Record<string, unknown>>;
    };
    expect(Object.keys(status.connector)).toEqual(['state', 'worker_id', 'version']);
    expect(status.connector['version']).toBe('10.7.6');
    expect(Object.keys(status.tasks[1]!)).toEqual(['id', 'state', 'worker_id', 'version', 'trace']);
    expect(json(await get(sim, '/connectors/sink/tasks/0/status'))).toMatchObject({ version: '10.7.6' });
  });

  it('writes the legacy key order before 2.2 and leaves kafka_cluster_id out before 1.1', async () => {
    await start('2.1.1');
    const status = json(await get(sim, '/connectors/sink/status')) as { tasks: object[] };
    expect(Object.keys(status.tasks[0]!)).toEqual(['state', 'id', 'worker_id']);
    expect(Object.keys(status.tasks[1]!)).toEqual(['state', 'trace', 'id', 'worker_id']);
    expect(Object.keys(json(await get(sim, '/')) as object)).toEqual(['version', 'commit', 'kafka_cluster_id']);
    await sim.close();
    await start('1.0.2');
    expect(Object.keys(json(await get(sim, '/')) as object)).toEqual(['version', 'commit']);
  });

  it('keeps ghost task statuses after the task count shrinks before 2.6, and drops them after', async () => {
    await start('2.5.1');
    sim.cluster.update('sink', { tasks: 1 });
    const ghosts = json(await get(sim, '/connectors/sink/status')) as { tasks: Array<{ id: number }> };
    expect(ghosts.tasks.map((task) => task.id)).toEqual([0, 1]);
    expect(json(await get(sim, '/connectors/sink')) as object).toMatchObject({ tasks: [{ connector: 'sink', task: 0 }] });
    // The ghost has a status but no config: restarting it is a 404.
    expect(json(await call(sim, 'POST', '/connectors/sink/tasks/1/restart'))).toEqual({ error_code: 404, message: 'Unknown task: sink-1' });
    await sim.close();
    await start('2.6.0');
    sim.cluster.update('sink', { tasks: 1 });
    const clean = json(await get(sim, '/connectors/sink/status')) as { tasks: Array<{ id: number }> };
    expect(clean.tasks.map((task) => task.id)).toEqual([0]);
  });

  it('queues the list before 2.3, so a blocked herder times it out', async () => {
    sim = await startSimulator({ version: '2.2.2', queuedTimeoutMs: 10 });
    sim.faults.herderBlocked = true;
    expect(json(await get(sim, '/connectors'))).toEqual({ error_code: 500, message: 'Request timed out' });
  });
});
