// The simulator against the real thing: each sample in test/fixtures/connect-samples that the simulator can reproduce is
// rebuilt as a situation and the answers compared: byte for byte where the sample is a capture of a fixed text or of a
// whole response, as canonical JSON (same keys, order and values) where it was reformatted by jq, by shape where it is
// a hand-edited fixture.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../packages/simulator/src/index.ts';
import { SAMPLES_DIR } from '../support/samples.ts';
import { call, get, type Reply } from '../../packages/simulator/test/http.ts';

function sample(path: string): string {
  return readFileSync(join(SAMPLES_DIR, path), 'utf8');
}

/** The sample's JSON with its key order, without the whitespace jq added. */
function canonical(path: string): string {
  return JSON.stringify(JSON.parse(sample(path)));
}

interface Capture {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The response part of an HTTP capture; the body is cut to its Content-Length when the capture gives one. */
function capture(path: string): Capture {
  const lines = sample(path).split('\n');
  const start = lines.findIndex((line) => line.startsWith('HTTP/1.1 '));
  const headers: Record<string, string> = {};
  let index = start + 1;
  for (; lines[index] !== undefined && lines[index]!.trim() !== ''; index++) {
    const colon = lines[index]!.indexOf(':');
    headers[lines[index]!.slice(0, colon).toLowerCase()] = lines[index]!.slice(colon + 1).trim();
  }
  const rest = lines.slice(index + 1).join('\n');
  const length = headers['content-length'];
  return {
    status: Number(lines[start]!.split(' ')[1]),
    headers,
    body: length === undefined ? rest.replace(/\n$/, '') : Buffer.from(rest).subarray(0, Number(length)).toString(),
  };
}

/** The headers a capture shows, as the simulator sent them (Date differs by nature). */
function expectCapturedHeaders(reply: Reply, captured: Capture): void {
  expect(reply.status).toBe(captured.status);
  for (const name of ['content-type', 'content-length', 'server']) {
    expect({ name, value: reply.headers[name] }).toEqual({ name, value: captured.headers[name] });
  }
}

/** Key names and value types, recursively: what a fixture with hand-edited values still tells us. Configs are string maps. */
function shape(value: unknown, key?: string): unknown {
  if (key === 'config' && typeof value === 'object' && value !== null) {
    return Object.values(value).every((inner) => typeof inner === 'string') ? 'map of strings' : value;
  }
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value;
  return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, shape(inner, name)]));
}

function traceOf(path: string, task = 0): string {
  return (JSON.parse(sample(path)) as { tasks: Array<{ trace: string }> }).tasks[task]!.trace;
}

let sim: Simulator;
afterEach(() => sim.close());

async function start(options: SimulatorOptions): Promise<Simulator> {
  sim = await startSimulator(options);
  return sim;
}

describe('captured errors', () => {
  it('errors/18: 404 of GET /connectors/{name}, byte for byte', async () => {
    await start({ version: '2.1.1' });
    const reply = await get(sim, '/connectors/DoesNotExist');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.text).toBe(sample('errors/18-404-connector-not-found.json'));
  });

  it('errors/19: the pre-3.7 "Request timed out" 500', async () => {
    await start({ version: '5.3.1-ccs', queuedTimeoutMs: 5 });
    sim.cluster.add({ name: 'oracle-source', connectorClass: 'io.confluent.connect.jdbc.JdbcSourceConnector' });
    sim.faults.herderBlocked = true;
    const reply = await call(sim, 'POST', '/connectors/oracle-source/restart');
    expect(reply.status).toBe(500);
    expect(reply.text).toBe(canonical('errors/19-500-request-timed-out-pre-3.7.json'));
  });

  it('errors/20: the basic-auth 401, plain text as application/json, no WWW-Authenticate', async () => {
    await start({ version: '6.2.0-ccs', basicAuth: { username: 'admin', password: 'secret' } });
    const captured = capture('errors/20-401-basic-auth-http-capture.txt');
    const reply = await get(sim, '/connectors?expand=info&expand=status', {
      headers: { 'user-agent': 'Kowl', accept: 'application/json', 'content-type': 'application/json', 'accept-encoding': 'gzip' },
    });
    expect(reply.status).toBe(captured.status);
    expect(reply.text).toBe(captured.body);
    expect(reply.headers['content-type']).toBe(captured.headers['content-type']);
    expect(reply.headers['content-length']).toBe(captured.headers['content-length']);
    expect(reply.headers['www-authenticate']).toBeUndefined();
    // The capture is a Confluent build with its own Jetty; the format is what carries over.
    expect(reply.headers['server']).toMatch(/^Jetty\(9\.4\.\d+\.v\d{8}\)$/);
  });

  it('errors/21: the JAX-RS 404 of an unknown path, without Content-Type', async () => {
    await start({ version: '3.4.0' });
    const reply = await get(sim, '/connectors/dwh.mydatabase.person/task', { headers: { accept: 'application/json' } });
    const captured = capture('errors/21-404-unknown-path-http-capture.txt');
    expectCapturedHeaders(reply, captured);
    expect(reply.text).toBe(captured.body);
  });

  it('errors/22: the JAX-RS 405 of a wrong method, without Content-Type', async () => {
    await start({ version: '3.4.0' });
    sim.cluster.add({ name: 'dwh.mydatabase.person', connectorClass: 'io.debezium.connector.mysql.MySqlConnector' });
    const reply = await get(sim, '/connectors/dwh.mydatabase.person/restart', { headers: { accept: 'application/json' } });
    const captured = capture('errors/22-405-wrong-method-http-capture.txt');
    expectCapturedHeaders(reply, captured);
    expect(reply.text).toBe(captured.body);
  });

  it("errors/23: Jetty's HTML 404 while the resources are not registered, byte for byte", async () => {
    await start({ version: '3.4.0' });
    sim.faults.startupPhase = 'html404';
    const reply = await get(sim, '/connector-plugins/');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    expect(reply.text).toBe(sample('errors/23-404-html-during-startup-jetty-default.html'));
  });
});

describe('captured root and health', () => {
  it('root/17: GET / of 2.1.1, byte for byte', async () => {
    await start({ version: '2.1.1', kafkaClusterId: 'Fo2ySm4CT1Wvz4Kvm2jIhw' });
    expect((await get(sim, '/')).text).toBe(sample('root/17-ak2.1.1-server-info.json'));
  });

  it('root/17b: GET / of 3.9.0', async () => {
    await start({ version: '3.9.0', kafkaClusterId: '_xIIeVIOQMKXimv_l96WtQ' });
    expect((await get(sim, '/')).text).toBe(canonical('root/17b-ak3.9.0-server-info.json'));
  });

  it('root/31: GET /health of a ready 3.9 worker', async () => {
    await start({ version: '3.9.0' });
    const reply = await get(sim, '/health');
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(canonical('root/31-ak3.9-health-200-healthy.json'));
  });
});

describe('captured statuses', () => {
  it('status/00 (docs example, before `type` existed): the same keys and types, plus type', async () => {
    await start({ version: '3.9.0' });
    sim.cluster.add({ name: 'file-source', connectorClass: 'org.apache.kafka.connect.file.FileStreamSourceConnector', workerId: '192.168.1.208:8083', tasks: [{ workerId: '192.168.1.209:8083' }] });
    const body = JSON.parse((await get(sim, '/connectors/file-source/status')).text) as Record<string, unknown>;
    expect(body).toEqual({ ...(JSON.parse(sample('status/00-docs-example-status-running.json')) as object), type: 'source' });
  });

  it('status/01: a FAILED Elasticsearch sink task on CP 5.5 (AK 2.5)', async () => {
    await start({ version: '5.5.0-ccs' });
    const path = 'status/01-ak2.5-elasticsearch-sink-task-failed.json';
    sim.cluster.add({
      name: 'test-connector',
      connectorClass: 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
      workerId: 'connect:8088',
      tasks: [{ state: 'FAILED', workerId: 'connect:8088', failure: { trace: traceOf(path) } }],
    });
    expect((await get(sim, '/connectors/test-connector/status')).text).toBe(canonical(path));
  });

  it('status/02: two FAILED JDBC sink tasks on 2.1, in the legacy key order', async () => {
    await start({ version: '2.1.1' });
    const path = 'status/02-ak2.1-jdbc-sink-two-tasks-failed-legacy-key-order.json';
    sim.cluster.add({
      name: 'jdbc-sink',
      connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
      workerId: 'connect-1:8083',
      tasks: [0, 1].map((task) => ({ state: 'FAILED', workerId: 'connect-1:8083', failure: { trace: traceOf(path, task) } })),
    });
    expect((await get(sim, '/connectors/jdbc-sink/status')).text).toBe(canonical(path));
  });

  it('status/03: ten Replicator tasks, some FAILED, one trace a message line alone', async () => {
    await start({ version: '5.5.6-ccs' });
    const path = 'status/03-cp5.5-replicator-10-tasks-mixed-failed.json';
    const captured = JSON.parse(sample(path)) as { tasks: Array<{ state: string; worker_id: string; trace?: string }> };
    sim.cluster.add({
      name: 'replicator',
      connectorClass: 'io.confluent.connect.replicator.ReplicatorSourceConnector',
      type: 'source',
      workerId: 'connect3:8083',
      tasks: captured.tasks.map((task) => ({
        state: task.state,
        workerId: task.worker_id,
        ...(task.trace === undefined ? {} : { failure: { trace: task.trace } }),
      })),
    });
    expect((await get(sim, '/connectors/replicator/status')).text).toBe(canonical(path));
  });

  it('status/04: UNASSIGNED after a worker shut down, keeping its worker_id', async () => {
    await start({ version: '6.0.0-ccs', workers: ['connect1:8083', 'connect2:8083'] });
    sim.cluster.add({
      name: 'sftp-sink',
      connectorClass: 'io.confluent.connect.sftp.SftpSinkConnector',
      type: 'sink',
      workerId: 'connect2:8083',
      tasks: ['connect2:8083', 'connect1:8083', 'connect2:8083', 'connect1:8083'].map((workerId) => ({ workerId })),
    });
    sim.cluster.shutdownWorker('connect2:8083');
    expect((await get(sim, '/connectors/sftp-sink/status')).text).toBe(canonical('status/04-sftp-sink-unassigned-after-worker-restart.json'));
  });

  it('status/06: a Debezium SQL Server task FAILED in the change event producer', async () => {
    await start({ version: '6.2.0-ccs' });
    const path = 'status/06-debezium-sqlserver-task-failed-no-cdc-role.json';
    sim.cluster.add({
      name: 'debezium-sqlserver-source',
      connectorClass: 'io.debezium.connector.sqlserver.SqlServerConnector',
      type: 'source',
      workerId: 'connect:8083',
      tasks: [{ state: 'FAILED', workerId: 'connect:8083', failure: { trace: traceOf(path) } }],
    });
    expect((await get(sim, '/connectors/debezium-sqlserver-source/status')).text).toBe(canonical(path));
  });

  it('status/08: a FAILED connector with the trace at connector level and tasks: []', async () => {
    await start({ version: '6.1.1-ccs' });
    const path = 'status/08-sftp-source-connector-failed-no-tasks.json';
    const trace = (JSON.parse(sample(path)) as { connector: { trace: string } }).connector.trace;
    sim.cluster.add({
      name: 'sftp-source-csv',
      connectorClass: 'io.confluent.connect.sftp.SftpCsvSourceConnector',
      type: 'source',
      state: 'FAILED',
      failure: { trace },
      workerId: 'connect:8083',
      tasks: [],
    });
    expect((await get(sim, '/connectors/sftp-source-csv/status')).text).toBe(canonical(path));
  });

  it('status/10: RUNNING with no tasks and type unknown (a plugin this worker cannot load)', async () => {
    await start({ version: '2.0.1' });
    sim.cluster.add({
      name: 'My Test Connector',
      connectorClass: 'org.apache.kafka.connect.tools.MockConnector',
      workerId: '192.168.86.201:8083',
      tasks: [],
    });
    expect((await get(sim, '/connectors/My%20Test%20Connector/status')).text).toBe(
      canonical('status/10-connector-running-no-tasks-type-unknown.json'),
    );
  });

  it('status/10b: a whole 3.4 status response, headers and body byte for byte', async () => {
    await start({ version: '3.4.0' });
    sim.cluster.add({
      name: 'dwh.mydatabase.person',
      connectorClass: 'io.debezium.connector.mysql.MySqlConnector',
      workerId: '172.20.0.4:8083',
      tasks: [{ workerId: '172.20.0.4:8083' }],
    });
    const reply = await get(sim, '/connectors/dwh.mydatabase.person/status', { headers: { accept: 'application/json' } });
    const captured = capture('status/10b-ak3.4-status-running-http-capture.txt');
    expectCapturedHeaders(reply, captured);
    expect(reply.text).toBe(captured.body);
  });

  it('task-status/14: one FAILED task on 1.0, in the legacy key order', async () => {
    await start({ version: '1.0.0' });
    const path = 'task-status/14-ak1.x-task-status-failed-legacy-key-order.json';
    const captured = JSON.parse(sample(path)) as { trace: string; worker_id: string };
    sim.cluster.add({
      name: 'MyTestConnector',
      connectorClass: 'org.apache.kafka.connect.tools.VerifiableSourceConnector',
      tasks: [{ state: 'FAILED', workerId: captured.worker_id, failure: { trace: captured.trace } }],
    });
    expect((await get(sim, '/connectors/MyTestConnector/tasks/0/status')).text).toBe(canonical(path));
  });
});

describe('captured listings', () => {
  it('expand/11: ?expand=status&expand=info with a RecordTooLargeException, CP 6.1 (AK 2.7)', async () => {
    await start({ version: '6.1.0-ccs' });
    const path = 'expand/11-replicator-expand-status-task-failed.json';
    const captured = JSON.parse(sample(path)) as Record<string, { info: { config: Record<string, string> } }>;
    const name = 'replicate-europe-to-us';
    sim.cluster.add({
      name,
      connectorClass: 'io.confluent.connect.replicator.ReplicatorSourceConnector',
      type: 'source',
      config: captured[name]!.info.config,
      workerId: 'connect-us:8083',
      tasks: [{ state: 'FAILED', workerId: 'connect-us:8083', failure: { trace: (captured[name] as unknown as { status: { tasks: Array<{ trace: string }> } }).status.tasks[0]!.trace } }],
    });
    expect((await get(sim, '/connectors?expand=status&expand=info')).text).toBe(canonical(path));
  });

  it('expand/13 (fixture): the nesting of info and status under each name', async () => {
    await start({ version: '2.3.1' });
    sim.cluster.load([
      { name: 'MyTestConnector', connectorClass: 'org.apache.kafka.connect.tools.VerifiableSourceConnector', type: 'source', tasks: 3 },
      { name: 'MyTestConnector2', connectorClass: 'org.apache.kafka.connect.tools.SomeOtherConnectorClass', type: 'source', tasks: 1 },
    ]);
    const ours = JSON.parse((await get(sim, '/connectors?expand=info&expand=status')).text) as Record<string, unknown>;
    // The fixture's hand-written traces on RUNNING tasks are not something Connect sends: compare without them.
    const withoutTraces = (text: string) => JSON.parse(text.replace(/,\s*"trace": "trace\d"/g, '')) as Record<string, unknown>;
    const fixture = withoutTraces(sample('expand/13-expand-info-and-status-fixture.json'));
    expect(Object.keys(ours).sort()).toEqual(Object.keys(fixture).sort());
    for (const name of Object.keys(fixture)) expect(shape(ours[name])).toEqual(shape(fixture[name]));
  });
});

describe('captured task fragments', () => {
  it('fragments/15: a FAILED task whose message spans lines with blank lines', async () => {
    await start({ version: '7.8.0-ccs' });
    const fragment = JSON.parse(`{${sample('fragments/15-oracle-xstream-cdc-tasks-array-fragment.txt')}]}`) as {
      tasks: Array<{ trace: string; worker_id: string }>;
    };
    const task = fragment.tasks[0]!;
    sim.cluster.add({
      name: 'oracle-xstream-cdc',
      connectorClass: 'io.confluent.connect.oracle.xstream.cdc.OracleXStreamSourceConnector',
      type: 'source',
      tasks: [{ state: 'FAILED', workerId: task.worker_id, failure: { trace: task.trace } }],
    });
    expect((await get(sim, '/connectors/oracle-xstream-cdc/tasks/0/status')).text).toBe(JSON.stringify(task));
  });

  it('fragments/16: a FAILED Oracle CDC task with three causes', async () => {
    await start({ version: '7.0.1-ccs' });
    const task = JSON.parse(sample('fragments/16-oracle-cdc-task-object-failed.json')) as { trace: string; worker_id: string };
    sim.cluster.add({
      name: 'oracle-cdc',
      connectorClass: 'io.confluent.connect.oracle.cdc.OracleCdcSourceConnector',
      type: 'source',
      tasks: [{}, { state: 'FAILED', workerId: task.worker_id, failure: { trace: task.trace } }],
    });
    expect((await get(sim, '/connectors/oracle-cdc/tasks/1/status')).text).toBe(canonical('fragments/16-oracle-cdc-task-object-failed.json'));
  });
});

describe('captured misc', () => {
  it('misc/24 and 24b: active topics, and an empty list for an unknown connector', async () => {
    await start({ version: '2.5.0' });
    sim.cluster.add({
      name: 'MyTestConnector',
      connectorClass: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      topics: ['test-topic-1', 'test-topic-2', 'test-topic-3'],
    });
    expect((await get(sim, '/connectors/MyTestConnector/topics')).text).toBe(canonical('misc/24-connector-topics.json'));
    sim.cluster.remove('MyTestConnector');
    expect((await get(sim, '/connectors/MyTestConnector/topics')).text).toBe(canonical('misc/24b-connector-topics-empty.json'));
  });

  it('misc/25: connector plugins have the shape of a 1.0 worker', async () => {
    await start({ version: '4.0.0-ccs' });
    const plugins = JSON.parse((await get(sim, '/connector-plugins')).text) as unknown[];
    const captured = JSON.parse(sample('misc/25-ak1.0-connector-plugins.json')) as unknown[];
    for (const plugin of plugins) expect(shape(plugin)).toEqual(shape(captured[0]));
    expect(plugins).toContainEqual({ class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '4.0.0-ccs' });
  });

  it('misc/26: GET /connectors/{name} of a connector whose plugin this worker cannot load', async () => {
    await start({ version: '1.1.1' });
    const captured = JSON.parse(sample('misc/26-connector-info-type-unknown.json')) as { config: Record<string, string> };
    sim.cluster.add({ name: 'My Test Connector', connectorClass: 'org.apache.kafka.connect.tools.MockConnector', config: captured.config, tasks: [] });
    expect((await get(sim, '/connectors/My%20Test%20Connector')).text).toBe(canonical('misc/26-connector-info-type-unknown.json'));
  });

  it('misc/27: GET /connectors/{name}/tasks has the captured shape', async () => {
    await start({ version: '1.1.1' });
    sim.cluster.add({ name: 'MyTestConnector', connectorClass: 'org.apache.kafka.connect.tools.VerifiableSourceConnector', tasks: 1 });
    const ours = JSON.parse((await get(sim, '/connectors/MyTestConnector/tasks')).text) as Array<{ id: unknown }>;
    const captured = JSON.parse(sample('misc/27-connector-tasks.json')) as Array<{ id: unknown }>;
    expect(ours.map((task) => task.id)).toEqual(captured.map((task) => task.id));
    expect(shape(ours)).toEqual(shape(captured));
  });

  it('misc/29: POST /connectors answers 201 with the config and no tasks yet', async () => {
    await start({ version: '5.5.0-ccs' });
    const created = JSON.parse(sample('misc/29-ak2.5-post-connectors-201-response-body.json')) as { name: string; config: object };
    const reply = await call(sim, 'POST', '/connectors', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: created.name, config: created.config }),
    });
    expect(reply.status).toBe(201);
    expect(reply.text).toBe(canonical('misc/29-ak2.5-post-connectors-201-response-body.json'));
  });

  it('misc/30: DELETE answers 204 with no body and no Content-Type', async () => {
    await start({ version: '3.4.0' });
    sim.cluster.add({ name: 'dwh.mydatabase.person', connectorClass: 'io.debezium.connector.mysql.MySqlConnector' });
    const reply = await call(sim, 'DELETE', '/connectors/dwh.mydatabase.person');
    const captured = capture('misc/30-ak3.4-delete-connector-204-http-capture.txt');
    expectCapturedHeaders(reply, captured);
    expect(reply.text).toBe('');
  });

  it('misc/32 and 33: GET offsets has the documented top-level shape', async () => {
    await start({ version: '3.6.2' });
    sim.cluster.add({ name: 'sink', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector' });
    const ours = JSON.parse((await get(sim, '/connectors/sink/offsets')).text) as Record<string, unknown>;
    for (const path of ['misc/32-docs-example-offsets-source-filestream.json', 'misc/33-docs-example-offsets-sink.json']) {
      expect(Object.keys(ours)).toEqual(Object.keys(JSON.parse(sample(path)) as object));
    }
    expect(Array.isArray(ours['offsets'])).toBe(true);
  });
});
