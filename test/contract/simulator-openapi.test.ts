// The simulator's JSON against the official OpenAPI specs of Kafka 3.3–3.9 (test/fixtures/connect-samples/openapi): every
// entity it serves validates, with no undeclared keys, and every endpoint it serves exists in that version's spec.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { SAMPLES_DIR } from '../support/samples.ts';
import { call, get, json } from '../../packages/simulator/test/http.ts';

interface OpenApi {
  info: { version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { properties?: Record<string, { writeOnly?: boolean }>; additionalProperties?: unknown }> };
}

/** What Connect always writes for each entity (the spec marks nothing required: Jackson writes nulls, not gaps). */
const REQUIRED: Record<string, string[]> = {
  ServerInfo: ['version', 'commit', 'kafka_cluster_id'],
  ConnectorStateInfo: ['name', 'connector', 'tasks', 'type'],
  ConnectorState: ['state', 'worker_id'],
  TaskState: ['id', 'state', 'worker_id'],
  ConnectorInfo: ['name', 'config', 'tasks', 'type'],
  ConnectorTaskId: ['connector', 'task'],
  TaskInfo: ['id', 'config'],
  PluginInfo: ['class', 'type'],
  ConnectorOffsets: ['offsets'],
};

/** Endpoints the simulator serves, with the first version that has them. */
const SERVED: Array<{ method: string; path: string; since?: number }> = [
  { method: 'get', path: '/' },
  { method: 'get', path: '/connectors' },
  { method: 'post', path: '/connectors' },
  { method: 'get', path: '/connectors/{connector}' },
  { method: 'delete', path: '/connectors/{connector}' },
  { method: 'get', path: '/connectors/{connector}/config' },
  { method: 'put', path: '/connectors/{connector}/config' },
  { method: 'get', path: '/connectors/{connector}/status' },
  { method: 'get', path: '/connectors/{connector}/tasks' },
  { method: 'get', path: '/connectors/{connector}/tasks-config' },
  { method: 'get', path: '/connectors/{connector}/tasks/{task}/status' },
  { method: 'post', path: '/connectors/{connector}/tasks/{task}/restart' },
  { method: 'post', path: '/connectors/{connector}/restart' },
  { method: 'put', path: '/connectors/{connector}/pause' },
  { method: 'put', path: '/connectors/{connector}/resume' },
  { method: 'put', path: '/connectors/{connector}/stop', since: 5 },
  { method: 'get', path: '/connectors/{connector}/topics' },
  { method: 'put', path: '/connectors/{connector}/topics/reset' },
  { method: 'get', path: '/connectors/{connector}/offsets', since: 5 },
  { method: 'get', path: '/connector-plugins' },
  { method: 'get', path: '/health', since: 9 },
];

function loadSpec(minor: number): OpenApi {
  return parse(readFileSync(join(SAMPLES_DIR, 'openapi', `connect_rest_3${minor}.yaml`), 'utf8')) as OpenApi;
}

/** The spec's schemas, closed: no undeclared keys, and the keys Connect always writes required. */
function validators(spec: OpenApi): (entity: string, array?: boolean) => ValidateFunction {
  const schemas = structuredClone(spec.components.schemas);
  for (const [name, schema] of Object.entries(schemas)) {
    if (schema.properties !== undefined && schema.additionalProperties === undefined) {
      Object.assign(schema, { additionalProperties: false, required: REQUIRED[name] ?? [] });
    }
  }
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'connect', components: { schemas } });
  return (entity, array = false) => {
    const ref = { $ref: `connect#/components/schemas/${entity}` };
    return ajv.compile(array ? { type: 'array', items: ref } : ref);
  };
}

describe.each([3, 4, 5, 6, 7, 8, 9])('OpenAPI spec of Kafka 3.%i', (minor) => {
  const spec = loadSpec(minor);
  const schema = validators(spec);
  let sim: Simulator;
  afterEach(() => sim.close());

  function expectValid(entity: string, body: unknown, array = false): void {
    const validate = schema(entity, array);
    expect({ entity, valid: validate(body), errors: validate.errors ?? null }).toEqual({ entity, valid: true, errors: null });
  }

  it('describes every entity the simulator serves', async () => {
    sim = await startSimulator({ version: `3.${minor}.0` });
    sim.cluster.load([
      { name: 'sink', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector', tasks: [{}, { state: 'FAILED' }] },
      { name: 'broken', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector', state: 'FAILED', tasks: [] },
      { name: 'paused', connectorClass: 'io.debezium.connector.postgresql.PostgresConnector', state: 'PAUSED' },
    ]);
    expectValid('ServerInfo', json(await get(sim, '/')));
    for (const name of ['sink', 'broken', 'paused']) {
      expectValid('ConnectorStateInfo', json(await get(sim, `/connectors/${name}/status`)));
      expectValid('ConnectorInfo', json(await get(sim, `/connectors/${name}`)));
      expectValid('TaskInfo', json(await get(sim, `/connectors/${name}/tasks`)), true);
    }
    expectValid('TaskState', json(await get(sim, '/connectors/sink/tasks/1/status')));
    expectValid('PluginInfo', json(await get(sim, '/connector-plugins')), true);
    expectValid('PluginInfo', json(await get(sim, '/connector-plugins?connectorsOnly=false')), true);
    const listing = json(await get(sim, '/connectors?expand=status&expand=info')) as Record<string, { status: unknown; info: unknown }>;
    expect(Object.keys(listing)).toHaveLength(3);
    for (const entry of Object.values(listing)) {
      expectValid('ConnectorStateInfo', entry.status);
      expectValid('ConnectorInfo', entry.info);
    }
    expectValid('ConnectorStateInfo', json(await call(sim, 'POST', '/connectors/sink/restart?includeTasks=true')));
    const created = await call(sim, 'POST', '/connectors', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'new', config: { 'connector.class': 'io.confluent.connect.s3.S3SinkConnector' } }),
    });
    expectValid('ConnectorInfo', json(created));
    if (minor >= 5) {
      expectValid('ConnectorOffsets', json(await get(sim, '/connectors/sink/offsets')));
      await call(sim, 'PUT', '/connectors/paused/stop');
      expectValid('ConnectorStateInfo', json(await get(sim, '/connectors/paused/status')));
    }
  });

  it('has every endpoint the simulator serves for this version', async () => {
    sim = await startSimulator({ version: `3.${minor}.0` });
    sim.cluster.add({ name: 'c', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector' });
    for (const endpoint of SERVED) {
      const inSpec = spec.paths[endpoint.path]?.[endpoint.method] !== undefined;
      const expected = endpoint.since === undefined || minor >= endpoint.since;
      expect({ ...endpoint, inSpec }).toEqual({ ...endpoint, inSpec: expected });
      const reply = await call(sim, endpoint.method.toUpperCase(), endpoint.path.replace('{connector}', 'c').replace('{task}', '0'), {
        headers: { 'content-type': 'application/json' },
        ...(endpoint.method === 'get' || endpoint.method === 'delete' ? {} : { body: '{}' }),
      });
      const routingError = reply.headers['content-type'] === undefined && (reply.status === 404 || reply.status === 405);
      expect({ ...endpoint, served: !routingError }).toEqual({ ...endpoint, served: expected });
    }
  });
});
