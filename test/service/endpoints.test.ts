// The service's own endpoints over its real state: readiness, health, the landing page and the status API.

import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorSpec } from '../../packages/simulator/src/index.ts';
import { cleanup, configText, refusedUrl, simulator, startService, T0 } from './harness.ts';

afterEach(cleanup);

const FLEET: ConnectorSpec[] = [
  {
    name: 'orders-sink',
    connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    tasks: [{}, { state: 'FAILED', failure: 'jdbc-sink-batch' }],
  },
  { name: 'archive', connectorClass: 'io.confluent.connect.s3.S3SinkConnector', state: 'PAUSED', tasks: 1 },
];

interface StatusJson {
  clusters: Array<{
    name: string;
    up: boolean;
    lastPollSuccess: string | null;
    worker: { version: string } | null;
    connectors: Array<{
      name: string;
      state: string;
      connectorClass: string;
      observedAt: string;
      tasks: Array<{ id: number; state: string; failure: { exception: string; rootCause: string; trace: string } | null }>;
    }>;
  }>;
}

describe('endpoints', () => {
  it('/-/ready is 503 until every cluster has been polled once (even unsuccessfully), then 200; /-/healthy is always 200', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url }, { name: 'down', url: await refusedUrl() }] }),
    });
    const before = await service.inject({ url: '/-/ready' });
    expect(before.statusCode).toBe(503);
    expect(before.body).toContain('not ready');
    expect((await service.inject({ url: '/-/healthy' })).statusCode).toBe(200);
    await service.app.pollAll();
    const after = await service.inject({ url: '/-/ready' });
    expect([after.statusCode, after.body]).toEqual([200, 'connect-sentinel is ready.\n']);
  });

  it('the landing page links to the endpoints and names the version', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    const page = await service.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const href of ['/metrics', '/api/v1/status', '/api/v1/restarts', '/-/healthy', '/-/ready']) {
      expect(page.body).toContain(`href="${href}"`);
    }
    expect(page.body).toContain('9.9.9-test');
    expect((await service.inject({ url: '/nope' })).statusCode).toBe(404);
  });

  it('/api/v1/status shows every cluster, connector and task with failure classes and the trace, and filters', async () => {
    const sim = await simulator({ version: '3.9.0', connectors: FLEET });
    const service = await startService({
      config: configText({ clusters: [{ name: 'prod', url: sim.url }, { name: 'down', url: await refusedUrl() }] }),
    });
    await service.app.pollAll();
    const status = (await service.inject({ url: '/api/v1/status' })).json() as StatusJson;
    expect(status.clusters.map((c) => [c.name, c.up, c.lastPollSuccess, c.worker?.version ?? null])).toEqual([
      ['prod', true, new Date(T0).toISOString(), '3.9.0'],
      ['down', false, null, null],
    ]);
    const prod = status.clusters[0]!;
    expect(prod.connectors.map((c) => [c.name, c.state, c.observedAt])).toEqual([
      ['archive', 'paused', new Date(T0).toISOString()],
      ['orders-sink', 'running', new Date(T0).toISOString()],
    ]);
    const failedTask = prod.connectors[1]!.tasks[1]!;
    expect(failedTask).toMatchObject({ id: 1, state: 'failed', failure: { exception: 'org.apache.kafka.connect.errors.ConnectException', rootCause: 'java.sql.SQLException' } });
    expect(failedTask.failure?.trace).toBe(sim.cluster.get('orders-sink')?.tasks[1]?.trace);

    const failedOnly = (await service.inject({ url: '/api/v1/status?cluster=prod&state=failed' })).json() as StatusJson;
    expect(failedOnly.clusters.map((c) => [c.name, c.connectors.map((x) => x.name)])).toEqual([['prod', ['orders-sink']]]);
    expect((await service.inject({ url: '/api/v1/status?color=red' })).statusCode).toBe(400);
  });

  it('keeps the last known connectors in the status API while a cluster is down', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    sim.faults.startupPhase = 'html404';
    service.clock.advance(30_000);
    await service.app.pollAll();
    const status = (await service.inject({ url: '/api/v1/status' })).json() as StatusJson;
    expect(status.clusters[0]).toMatchObject({ up: false, lastPollSuccess: new Date(T0).toISOString() });
    expect(status.clusters[0]?.connectors.map((c) => c.observedAt)).toEqual([new Date(T0).toISOString(), new Date(T0).toISOString()]);
  });

  it('/api/v1/restarts shows the circuit breaker of each cluster and no target while auto-restart has nothing to remember', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    const listing = await service.inject({ url: '/api/v1/restarts' });
    // orders-sink has a FAILED task; the paused archive does not count as failing.
    expect([listing.statusCode, listing.json()]).toEqual([
      200,
      { circuitBreakers: [{ cluster: 'prod', open: false, failingConnectors: 1, connectors: 2 }], targets: [], silences: [] },
    ]);
  });
});
