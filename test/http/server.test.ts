import { gunzipSync, gzipSync } from 'node:zlib';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { firstObserved, type ClusterView, type TargetRef } from '../../src/domain/model.ts';
import { SentinelError } from '../../src/errors.ts';
import { buildServer, type RestartControl, type ServerDeps, type WebSecurity } from '../../src/http/server.ts';

const view: ClusterView = {
  cluster: 'prod',
  up: true,
  pollDurationSeconds: 0.5,
  lastSuccessTimestampSeconds: 1_700_000_000,
  worker: { version: '3.9.0', commit: 'a60e31147e6b01ee', kafkaClusterId: 'k' },
  plugins: [],
  connectors: [
    {
      observedAt: 1_700_000_000_000,
      stateSince: 1_699_999_000_000,
      taskStateSince: [1_699_999_500_000],
      status: {
        name: 'jdbc-sink',
        type: 'sink',
        connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
        state: 'running',
        workerId: 'w1:8083',
        tasks: [
          {
            id: 0,
            state: 'failed',
            workerId: 'w1:8083',
            failure: { exception: 'org.apache.kafka.connect.errors.ConnectException', rootCause: 'java.sql.SQLException', trace: 'org.apache.kafka.connect.errors.ConnectException: x\n' },
          },
        ],
      },
    },
    firstObserved({ name: 's3', type: 'sink', connectorClass: 'S3', state: 'running', workerId: 'w2:8083', tasks: [] }, 1_700_000_000_000),
  ],
};

function fakeRestarts() {
  const calls: Array<[string, unknown]> = [];
  const control: RestartControl = {
    list: (filter) => ({ targets: [], filter }),
    restartNow: async (ref: TargetRef) => {
      if (ref.connector === 'nope') throw new SentinelError('CS_ERR_API_NOT_FOUND', 'no such connector: prod/nope');
      calls.push(['restartNow', ref]);
    },
    resetBudget: async (ref) => void calls.push(['resetBudget', ref]),
    silence: async (target, until, reason) => void calls.push(['silence', { target, until, reason }]),
    unsilence: async (target) => void calls.push(['unsilence', target]),
  };
  return { control, calls };
}

function exposition(format: 'prometheus' | 'openmetrics') {
  return format === 'openmetrics'
    ? { contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8', body: 'kafka_connect_up{connect_cluster="prod"} 1\n# EOF\n' }
    : { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'kafka_connect_up{connect_cluster="prod"} 1\n' };
}

let servers: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

function server(overrides: Partial<ServerDeps> = {}, security: WebSecurity = { credentials: {} }) {
  const restarts = fakeRestarts();
  let reloads = 0;
  const deps: ServerDeps = {
    logger: pino({ level: 'silent' }),
    version: '0.1.0',
    exposition: {
      renderChunks: async (format, encoding) => {
        const { contentType, body } = exposition(format);
        const bytes = encoding === 'gzip' ? gzipSync(body) : Buffer.from(body);
        return { contentType, chunks: [bytes], length: bytes.length };
      },
    },
    views: () => [view],
    restarts: restarts.control,
    ready: () => true,
    reload: async () => {
      reloads++;
    },
    security: () => security,
    parseDuration: (text) => {
      const m = /^(\d+)h$/.exec(text);
      if (!m) throw new Error(`invalid duration "${text}"`);
      return Number(m[1]) * 3_600_000;
    },
    now: () => 1_700_000_000_000,
    maxRequestBodyBytes: 1024,
    ...overrides,
  };
  const app = buildServer(deps);
  servers.push(app);
  return { app, calls: restarts.calls, reloads: () => reloads };
}

describe('HTTP server', () => {
  it('serves metrics in the negotiated format, gzipped on request', async () => {
    const { app } = server();
    const plain = await app.inject({ url: '/metrics' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const om = await app.inject({ url: '/metrics', headers: { accept: 'application/openmetrics-text;version=1.0.0' } });
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    const gz = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toContain('kafka_connect_up');
  });

  it('answers readiness from the ready port', async () => {
    let ready = false;
    const { app } = server({ ready: () => ready });
    expect((await app.inject({ url: '/-/ready' })).statusCode).toBe(503);
    ready = true;
    expect((await app.inject({ url: '/-/ready' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/-/healthy' })).statusCode).toBe(200);
  });

  it('reloads on POST and PUT, refuses GET with 405, and reports a failed reload with 500 and its reason', async () => {
    const { app, reloads } = server();
    expect((await app.inject({ method: 'POST', url: '/-/reload', headers: { 'x-requested-with': 'curl' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/-/reload', payload: {} })).statusCode).toBe(200);
    expect((await app.inject({ method: 'PUT', url: '/-/reload' })).statusCode).toBe(200);
    expect(reloads()).toBe(3);
    expect((await app.inject({ url: '/-/reload' })).statusCode).toBe(405);
    const failing = server({ reload: async () => { throw new SentinelError('CS_ERR_CONFIG_INVALID', 'sentinel.yaml: clusters[0].url: required'); } });
    const res = await failing.app.inject({ method: 'POST', url: '/-/reload', headers: { 'x-requested-with': 'curl' } });
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('failed to reload config: sentinel.yaml: clusters[0].url: required\n');
  });

  it.each([
    ['no body', {}, 400],
    ['a text/plain body', { headers: { 'content-type': 'text/plain' }, payload: 'x' }, 400],
    // fastify has no parser for forms: refused before the route, as 415.
    ['a form', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' }, 415],
  ])('refuses a POST /-/reload a cross-site page could send (%s), and does not reload', async (_, request, status) => {
    const { app, reloads } = server();
    const res = await app.inject({ method: 'POST', url: '/-/reload', ...request });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ error: 'CS_ERR_API_BAD_REQUEST' });
    if (status === 400) expect(res.json().message).toContain('needs an X-Requested-With header or a JSON content type');
    expect(reloads()).toBe(0);
  });

  it('serves status with failures and traces, filtered by cluster and state', async () => {
    const { app } = server();
    const all = (await app.inject({ url: '/api/v1/status' })).json();
    expect(all.clusters[0].connectors).toHaveLength(2);
    expect(all.clusters[0].lastPollSuccess).toBe('2023-11-14T22:13:20.000Z');
    const failed = (await app.inject({ url: '/api/v1/status?state=failed' })).json();
    expect(failed.clusters[0].connectors.map((c: { name: string }) => c.name)).toEqual(['jdbc-sink']);
    expect(failed.clusters[0].connectors[0].tasks[0].failure.rootCause).toBe('java.sql.SQLException');
    expect((await app.inject({ url: '/api/v1/status?cluster=other' })).json().clusters).toEqual([]);
    expect((await app.inject({ url: '/api/v1/status?bogus=1' })).statusCode).toBe(400);
  });

  it('refuses write actions when no API token is configured', async () => {
    const { app, calls } = server();
    const res = await app.inject({ method: 'POST', url: '/api/v1/restarts', payload: { cluster: 'prod', connector: 'jdbc-sink' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toBe('CS_ERR_API_FORBIDDEN');
    expect(calls).toEqual([]);
  });

  it('requires the API token for write actions and validates bodies', async () => {
    const { app, calls } = server({}, { credentials: {}, apiToken: 's3cret-token' });
    const payload = { cluster: 'prod', connector: 'jdbc-sink', task: 0 };
    expect((await app.inject({ method: 'POST', url: '/api/v1/restarts', payload })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/restarts', payload, headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/restarts', payload, headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.statusCode).toBe(202);
    expect(calls).toEqual([['restartNow', { cluster: 'prod', connector: 'jdbc-sink', task: 0 }]]);

    const auth = { authorization: 'Bearer s3cret-token' };
    expect((await app.inject({ method: 'POST', url: '/api/v1/restarts', payload: { cluster: 'prod' }, headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/restarts', payload: { ...payload, extra: 1 }, headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/api/v1/restarts', payload: { cluster: 'prod', connector: 'nope' }, headers: auth })).statusCode).toBe(404);
    const big = await app.inject({ method: 'POST', url: '/api/v1/restarts', payload: { cluster: 'prod', connector: 'x'.repeat(2000) }, headers: auth });
    expect(big.statusCode).toBe(413);

    const silence = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { cluster: 'prod', connector: 'jdbc-sink', duration: '2h', reason: 'db maintenance' }, headers: auth });
    expect(silence.json().silencedUntil).toBe('2023-11-15T00:13:20.000Z');
    const badDuration = await app.inject({ method: 'POST', url: '/api/v1/silences', payload: { cluster: 'prod', connector: 'jdbc-sink', duration: 'soon' }, headers: auth });
    expect(badDuration.statusCode).toBe(400);
    expect(badDuration.json().message).toBe('body.duration: invalid duration "soon"');
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/silences', payload: { cluster: 'prod', connector: 'jdbc-sink' }, headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/restarts/reset', payload: { cluster: 'prod', connector: 'jdbc-sink' }, headers: auth })).statusCode).toBe(200);
    expect(calls.map(([name]) => name)).toEqual(['restartNow', 'silence', 'unsilence', 'resetBudget']);
  });

  it('protects everything but health and readiness with web basic auth', async () => {
    const { app } = server({}, { credentials: { basicAuth: { username: 'prom', password: 'pw' } } });
    expect((await app.inject({ url: '/-/healthy' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/-/ready' })).statusCode).toBe(200);
    const denied = await app.inject({ url: '/metrics' });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['www-authenticate']).toBe('Basic realm="connect-sentinel"');
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Basic ${Buffer.from('prom:wrong').toString('base64')}` } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics', headers: { authorization: `Basic ${Buffer.from('prom:pw').toString('base64')}` } })).statusCode).toBe(200);
  });

  it('accepts the API token in X-Api-Token when Authorization carries web credentials', async () => {
    const { app, calls } = server({}, { credentials: { bearerToken: 'scrape-token' }, apiToken: 'api-token' });
    const res = await app.inject({
      method: 'POST', url: '/api/v1/restarts/reset',
      payload: { cluster: 'prod', connector: 'jdbc-sink' },
      headers: { authorization: 'Bearer scrape-token', 'x-api-token': 'api-token' },
    });
    expect(res.statusCode).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('serves a landing page linking the endpoints and a JSON 404 elsewhere', async () => {
    const { app } = server();
    const page = await app.inject({ url: '/' });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const href of ['/metrics', '/api/v1/status', '/api/v1/restarts', '/-/healthy', '/-/ready']) expect(page.body).toContain(`href="${href}"`);
    expect((await app.inject({ url: '/nope' })).statusCode).toBe(404);
  });
});
