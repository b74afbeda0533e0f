import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.ts';
import { call, get, json } from './http.ts';

const POSTGRES = 'io.debezium.connector.postgresql.PostgresConnector';
const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';

describe('simulator endpoints (3.9)', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ version: '3.9.0', workers: ['connect-1:8083', 'connect-2:8083'] });
    sim.cluster.load([
      { name: 'orders-cdc', connectorClass: POSTGRES, tasks: 1 },
      { name: 'orders-sink', connectorClass: JDBC_SINK, tasks: [{}, { state: 'FAILED', failure: 'jdbc-sink-batch' }, {}] },
      { name: 'no-status-yet', connectorClass: JDBC_SINK, tasks: 1 },
      { name: 'being-deleted', connectorClass: JDBC_SINK, tasks: 1 },
    ]);
    sim.cluster.dropStatus('no-status-yet');
    sim.cluster.markDeleting('being-deleted');
  });
  afterAll(() => sim.close());

  it('answers GET / with the server info as application/json, without charset, and a Jetty Server header', async () => {
    const reply = await get(sim, '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['server']).toBe('Jetty(9.4.56.v20240826)');
    expect(Object.keys(json(reply) as object)).toEqual(['version', 'commit', 'kafka_cluster_id']);
    expect(json(reply)).toMatchObject({ version: '3.9.0', commit: 'a60e31147e6b01ee' });
  });

  it('lists names as an array without expand', async () => {
    const reply = await get(sim, '/connectors');
    expect(reply.headers['content-type']).toBe('application/json');
    expect((json(reply) as string[]).sort()).toEqual(['being-deleted', 'no-status-yet', 'orders-cdc', 'orders-sink']);
  });

  it('answers a map with expand: a connector without status is left out, one being deleted has info null', async () => {
    const reply = await get(sim, '/connectors?expand=status&expand=info');
    const body = json(reply) as Record<string, { status: { type: string }; info: unknown }>;
    expect(Object.keys(body).sort()).toEqual(['being-deleted', 'orders-cdc', 'orders-sink']);
    expect(Object.keys(body['orders-sink']!)).toEqual(['status', 'info']);
    expect(body['being-deleted']!.info).toBeNull();
    expect(body['being-deleted']!.status.type).toBe('unknown');
    expect(body['orders-sink']!.info).toMatchObject({ name: 'orders-sink', type: 'sink', tasks: [{ connector: 'orders-sink', task: 0 }, { connector: 'orders-sink', task: 1 }, { connector: 'orders-sink', task: 2 }] });
  });

  it('keeps the expansions in request order and reads each repeated value once', async () => {
    const body = json(await get(sim, '/connectors?expand=info&expand=status&expand=info')) as Record<string, object>;
    expect(Object.keys(body['orders-cdc']!)).toEqual(['info', 'status']);
  });

  it('maps each connector to {} for an unknown expansion, including the comma-separated form', async () => {
    for (const query of ['expand=status,info', 'expand=bogus', 'expand=']) {
      const body = json(await get(sim, `/connectors?${query}`)) as Record<string, object>;
      expect(Object.keys(body).sort()).toEqual(['being-deleted', 'no-status-yet', 'orders-cdc', 'orders-sink']);
      expect(body['orders-cdc']).toEqual({});
    }
  });

  it('only has info for a connector without a status when only info is expanded', async () => {
    const body = json(await get(sim, '/connectors?expand=info')) as Record<string, { info: { name: string } }>;
    expect(body['no-status-yet']!.info.name).toBe('no-status-yet');
  });

  it('serves a status with tasks sorted by id and a trace only on the FAILED task', async () => {
    sim.cluster.setTaskState('orders-sink', 2, 'RUNNING');
    const reply = await get(sim, '/connectors/orders-sink/status');
    const body = json(reply) as { connector: object; tasks: Array<Record<string, unknown>>; type: string };
    expect(Object.keys(body)).toEqual(['name', 'connector', 'tasks', 'type']);
    expect(body.tasks.map((task) => task['id'])).toEqual([0, 1, 2]);
    expect(Object.keys(body.tasks[0]!)).toEqual(['id', 'state', 'worker_id']);
    expect(Object.keys(body.tasks[1]!)).toEqual(['id', 'state', 'worker_id', 'trace']);
    expect(body.tasks[1]!['trace']).toMatch(/^org\.apache\.kafka\.connect\.errors\.ConnectException: Exiting WorkerSinkTask/);
    expect(body.type).toBe('sink');
  });

  it('says "No status found" for a connector or task without a status record', async () => {
    const connector = await get(sim, '/connectors/no-status-yet/status');
    expect(connector.status).toBe(404);
    expect(connector.headers['content-type']).toBe('application/json');
    expect(connector.text).toBe('{"error_code":404,"message":"No status found for connector no-status-yet"}');
    const task = await get(sim, '/connectors/orders-sink/tasks/7/status');
    expect(task.text).toBe('{"error_code":404,"message":"No status found for task orders-sink-7"}');
    const task0 = json(await get(sim, '/connectors/orders-sink/tasks/0/status'));
    expect(task0).toEqual({ id: 0, state: 'RUNNING', worker_id: expect.any(String) });
  });

  it('answers a non-integer task id with the JAX-RS 404', async () => {
    const reply = await get(sim, '/connectors/orders-sink/tasks/zero/status');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBeUndefined();
    expect(reply.text).toBe('{"error_code":404,"message":"HTTP 404 Not Found"}');
  });

  it('words 404s per endpoint', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/connectors/nope', 'Connector nope not found'],
      ['GET', '/connectors/nope/config', 'Connector nope not found'],
      ['GET', '/connectors/nope/tasks', 'Connector nope not found'],
      ['DELETE', '/connectors/nope', 'Connector nope not found'],
      ['POST', '/connectors/nope/restart', 'Unknown connector: nope'],
      ['POST', '/connectors/orders-sink/tasks/5/restart', 'Unknown task: orders-sink-5'],
      ['PUT', '/connectors/nope/pause', 'Unknown connector nope'],
      ['PUT', '/connectors/nope/resume', 'Unknown connector nope'],
      ['PUT', '/connectors/nope/stop', 'Unknown connector nope'],
      ['GET', '/connectors/being-deleted', 'Connector being-deleted not found'],
    ];
    for (const [method, path, message] of cases) {
      const reply = await call(sim, method, path);
      expect({ path, status: reply.status, body: json(reply) }).toEqual({ path, status: 404, body: { error_code: 404, message } });
    }
  });

  it('serves info, config and tasks', async () => {
    const info = json(await get(sim, '/connectors/orders-cdc')) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(['name', 'config', 'tasks', 'type']);
    expect(info['config']).toMatchObject({ name: 'orders-cdc', 'connector.class': POSTGRES, 'tasks.max': '1' });
    const config = json(await get(sim, '/connectors/orders-cdc/config'));
    expect(config).toEqual(info['config']);
    const tasks = json(await get(sim, '/connectors/orders-cdc/tasks')) as Array<{ id: object; config: Record<string, string> }>;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.id).toEqual({ connector: 'orders-cdc', task: 0 });
    expect(tasks[0]!.config['task.class']).toBe('io.debezium.connector.postgresql.PostgresConnectorTask');
    const tasksConfig = json(await get(sim, '/connectors/orders-cdc/tasks-config')) as Record<string, object>;
    expect(Object.keys(tasksConfig)).toEqual(['orders-cdc-0']);
  });

  it('answers a wrong method with 405 and an unknown path with 404, both without Content-Type', async () => {
    const wrongMethod = await get(sim, '/connectors/orders-cdc/restart');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers['content-type']).toBeUndefined();
    expect(wrongMethod.text).toBe('{"error_code":405,"message":"HTTP 405 Method Not Allowed"}');
    const unknownPath = await get(sim, '/connectors/orders-cdc/task');
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.headers['content-type']).toBeUndefined();
  });

  it('answers a body of another type with 415, and accepts a restart without any body', async () => {
    const form = await call(sim, 'PUT', '/connectors/orders-cdc/pause', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(form.status).toBe(415);
    expect(form.headers['content-type']).toBeUndefined();
    expect(form.text).toBe('{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}');
    const bare = await call(sim, 'POST', '/connectors/orders-cdc/restart');
    expect(bare.status).toBe(204);
    sim.settle();
  });

  it('pauses and resumes with 202 and no body; FAILED tasks stay FAILED while paused', async () => {
    const pause = await call(sim, 'PUT', '/connectors/orders-sink/pause');
    expect(pause.status).toBe(202);
    expect(pause.text).toBe('');
    expect(sim.cluster.get('orders-sink')!.tasks.map((task) => task.state)).toEqual(['PAUSED', 'FAILED', 'PAUSED']);
    expect(sim.cluster.get('orders-sink')!.connector!.state).toBe('PAUSED');
    expect((await call(sim, 'PUT', '/connectors/orders-sink/resume')).status).toBe(202);
    expect(sim.cluster.get('orders-sink')!.tasks.map((task) => task.state)).toEqual(['RUNNING', 'FAILED', 'RUNNING']);
  });

  it('stops with 204: STOPPED with tasks: [], and resume brings the tasks back', async () => {
    const stop = await call(sim, 'PUT', '/connectors/orders-cdc/stop');
    expect(stop.status).toBe(204);
    expect(stop.text).toBe('');
    expect(json(await get(sim, '/connectors/orders-cdc/status'))).toMatchObject({ connector: { state: 'STOPPED' }, tasks: [] });
    expect(json(await get(sim, '/connectors/orders-cdc'))).toMatchObject({ tasks: [] });
    await call(sim, 'PUT', '/connectors/orders-cdc/resume');
    expect(json(await get(sim, '/connectors/orders-cdc/status'))).toMatchObject({
      connector: { state: 'RUNNING' },
      tasks: [{ id: 0, state: 'RUNNING' }],
    });
  });

  it('serves active topics, and an empty list rather than a 404 for an unknown connector', async () => {
    expect(json(await get(sim, '/connectors/orders-sink/topics'))).toEqual({ 'orders-sink': { topics: ['orders.v1'] } });
    expect(json(await get(sim, '/connectors/ghost/topics'))).toEqual({ ghost: { topics: [] } });
  });

  it('lists connector plugins, and the others only with connectorsOnly=false', async () => {
    const connectors = json(await get(sim, '/connector-plugins')) as Array<{ class: string; type: string; version?: string }>;
    expect(new Set(connectors.map((plugin) => plugin.type))).toEqual(new Set(['source', 'sink']));
    const mirror = connectors.find((plugin) => plugin.class.endsWith('MirrorSourceConnector'));
    expect(mirror).toEqual({ class: 'org.apache.kafka.connect.mirror.MirrorSourceConnector', type: 'source', version: '3.9.0' });
    const all = json(await get(sim, '/connector-plugins?connectorsOnly=false')) as Array<{ type: string; version?: string }>;
    expect(new Set(all.map((plugin) => plugin.type))).toEqual(
      new Set(['source', 'sink', 'converter', 'header_converter', 'transformation', 'predicate']),
    );
    // A plugin without a version leaves the key out (3.2+).
    expect(all.find((plugin) => plugin.type === 'transformation')).not.toHaveProperty('version');
    // Java's Boolean parsing: anything but "true" is false.
    expect((json(await get(sim, '/connector-plugins?connectorsOnly=no')) as unknown[]).length).toBe(all.length);
    expect((json(await get(sim, '/connector-plugins?connectorsOnly=TRUE')) as unknown[]).length).toBe(connectors.length);
  });

  it('creates with 201 and a Location, refuses a duplicate with 409, deletes with 204', async () => {
    const body = JSON.stringify({ name: 'new-sink', config: { 'connector.class': JDBC_SINK, 'tasks.max': '2', topics: 't' } });
    const created = await call(sim, 'POST', '/connectors', { headers: { 'content-type': 'application/json' }, body });
    expect(created.status).toBe(201);
    expect(created.headers['location']).toBe('/connectors/new-sink');
    expect(json(created)).toEqual({
      name: 'new-sink',
      config: { 'connector.class': JDBC_SINK, 'tasks.max': '2', topics: 't', name: 'new-sink' },
      tasks: [],
      type: 'sink',
    });
    const duplicate = await call(sim, 'POST', '/connectors', { headers: { 'content-type': 'application/json' }, body });
    expect(json(duplicate)).toEqual({ error_code: 409, message: 'Connector new-sink already exists' });
    expect(json(await get(sim, '/connectors/new-sink/status'))).toMatchObject({ tasks: [{ id: 0 }, { id: 1 }] });
    const deleted = await call(sim, 'DELETE', '/connectors/new-sink');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await get(sim, '/connectors/new-sink/status')).status).toBe(404);
  });

  it('creates with PUT …/config (201) and updates with it (200), changing the task count', async () => {
    const config = { 'connector.class': JDBC_SINK, 'tasks.max': '1', topics: 'x' };
    const created = await call(sim, 'PUT', '/connectors/put-sink/config', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
    expect(created.status).toBe(201);
    const updated = await call(sim, 'PUT', '/connectors/put-sink/config', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, 'tasks.max': '3' }),
    });
    expect(updated.status).toBe(200);
    expect((json(updated) as { tasks: unknown[] }).tasks).toHaveLength(3);
    const mismatch = await call(sim, 'PUT', '/connectors/put-sink/config', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...config, name: 'other' }),
    });
    expect(json(mismatch)).toEqual({
      error_code: 400,
      message: "Connector name configuration (other) doesn't match connector name in the URL (put-sink)",
    });
    sim.cluster.remove('put-sink');
  });

  it('treats HEAD like GET without a body and ignores a trailing slash', async () => {
    const head = await call(sim, 'HEAD', '/connectors');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect((await get(sim, '/connectors/')).status).toBe(200);
  });

  it('logs every answered request with method, path, query and status', async () => {
    sim.requests.reset();
    await get(sim, '/connectors?expand=status&expand=info');
    await get(sim, '/connectors/nope/status');
    expect(sim.requests.entries.map(({ method, path, query, status }) => ({ method, path, query, status }))).toEqual([
      { method: 'GET', path: '/connectors', query: 'expand=status&expand=info', status: 200 },
      { method: 'GET', path: '/connectors/nope/status', query: '', status: 404 },
    ]);
    expect(sim.requests.count({ path: '/connectors' })).toBe(1);
    expect(sim.requests.count({ status: 404 })).toBe(1);
    expect(sim.requests.count({ path: /\/status$/ })).toBe(1);
    expect(sim.requests.count((request) => request.method === 'POST')).toBe(0);
  });
});
