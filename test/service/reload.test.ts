// Reload: app.reload() and POST /-/reload with a changed config file. Clusters come and go, credentials
// change, a broken file keeps the running config, and what the service knows (views, restart history) survives.

import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectorSpec } from '../../packages/simulator/src/index.ts';
import { cleanup, configText, MINUTE, select, simulator, startService, valueOf, type ClusterEntry, type Service } from './harness.ts';

afterEach(cleanup);

const FLEET: ConnectorSpec[] = [
  { name: 'orders-sink', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector', tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { permanent: true } }] },
  { name: 'archive', connectorClass: 'io.confluent.connect.s3.S3SinkConnector', tasks: 2 },
];

const RESTART = { enabled: true, defaults: { backoff: { initial: '5m', jitter: 0 } } };

async function reloadOverHttp(service: Service): Promise<{ status: number; body: string }> {
  const response = await service.inject({ method: 'POST', url: '/-/reload', headers: { 'x-requested-with': 'test' } });
  return { status: response.statusCode, body: response.body };
}

async function clustersUp(service: Service): Promise<Array<[string, string]>> {
  const { samples } = await service.scrape();
  return select(samples, 'kafka_connect_up').map((s): [string, string] => [s.labels['connect_cluster'] ?? '', s.value]).sort();
}

describe('reload', () => {
  it('adds a cluster (app.reload) and removes one (POST /-/reload): the removed cluster\'s series vanish', async () => {
    const prod = await simulator({ connectors: FLEET });
    const dev = await simulator({ version: '2.8.2', connectors: FLEET });
    const prodEntry: ClusterEntry = { name: 'prod', url: prod.url };
    const service = await startService({ config: configText({ clusters: [prodEntry] }) });
    await service.app.pollAll();

    await service.writeConfig(configText({ clusters: [prodEntry, { name: 'dev', url: dev.url }] }));
    const result = await service.app.reload();
    expect(result).toMatchObject({ ok: true, changed: true });
    await service.app.pollAll();
    expect(await clustersUp(service)).toEqual([['dev', '1'], ['prod', '1']]);
    expect(dev.requests.count({ path: '/connectors' })).toBe(1);

    await service.writeConfig(configText({ clusters: [{ name: 'dev', url: dev.url }] }));
    expect(await reloadOverHttp(service)).toEqual({ status: 200, body: 'config reloaded\n' });
    const before = prod.requests.count();
    await service.app.pollAll();
    expect(prod.requests.count()).toBe(before);
    const { samples } = await service.scrape();
    expect(samples.filter((s) => s.labels['connect_cluster'] === 'prod')).toEqual([]);
    expect(select(samples, 'kafka_connect_connector_info', { connect_cluster: 'dev' })).toHaveLength(2);
    expect(service.app.views().map((v) => v.cluster)).toEqual(['dev']);
  });

  it('a changed password applies at the next poll', async () => {
    const sim = await simulator({ connectors: FLEET, basicAuth: { username: 'admin', password: 'new-secret' } });
    const entry = (password: string): ClusterEntry => ({ name: 'prod', url: sim.url, basicAuth: { username: 'admin', password } });
    const service = await startService({ config: configText({ clusters: [entry('old-secret')] }) });
    await service.app.pollAll();
    expect(await clustersUp(service)).toEqual([['prod', '0']]);

    await service.writeConfig(configText({ clusters: [entry('new-secret')] }));
    expect((await reloadOverHttp(service)).status).toBe(200);
    await service.app.pollAll();
    expect(await clustersUp(service)).toEqual([['prod', '1']]);
    expect(service.logs.text()).not.toContain('secret');
  });

  it('a broken file keeps the running config and sets the reload gauge to 0; a fixed file sets it back', async () => {
    const sim = await simulator({ connectors: FLEET });
    const good = configText({ clusters: [{ name: 'prod', url: sim.url }] });
    const service = await startService({ config: good });
    await service.app.pollAll();
    let { samples } = await service.scrape();
    const loadedAt = valueOf(samples, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds');
    expect(valueOf(samples, 'kafka_connect_exporter_config_last_reload_successful')).toBe(1);

    await service.writeConfig('clusters:\n  - name: prod\n    url: http://127.0.0.1:1\n    pollIntervall: 5s\n');
    service.clock.advance(MINUTE);
    const failed = await reloadOverHttp(service);
    expect(failed.status).toBe(500);
    expect(failed.body).toContain('clusters[0].pollIntervall: unknown key');
    expect((await service.app.reload()).ok).toBe(false);
    ({ samples } = await service.scrape());
    expect(valueOf(samples, 'kafka_connect_exporter_config_last_reload_successful')).toBe(0);
    expect(valueOf(samples, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds')).toBe(loadedAt);
    expect(service.logs.lines().some((l) => l['msg'] === 'Configuration reload failed; keeping the current configuration')).toBe(true);

    // Still polling the cluster of the good config.
    await service.app.pollAll();
    expect(await clustersUp(service)).toEqual([['prod', '1']]);
    expect(sim.requests.count({ path: '/connectors' })).toBe(2);

    await service.writeConfig(good);
    expect((await service.app.reload()).ok).toBe(true);
    ({ samples } = await service.scrape());
    expect(valueOf(samples, 'kafka_connect_exporter_config_last_reload_successful')).toBe(1);
    expect(valueOf(samples, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds')).toBe((loadedAt ?? 0) + 60);
  });

  it('a cluster removed by reload loses its restart history; the others keep theirs', async () => {
    const prod = await simulator({ connectors: FLEET });
    const dev = await simulator({ connectors: FLEET });
    const both = configText({ clusters: [{ name: 'prod', url: prod.url }, { name: 'dev', url: dev.url }], restart: RESTART });
    const service = await startService({ config: both });
    await service.app.pollAll();
    const clustersInHistory = async () =>
      ((await service.inject({ url: '/api/v1/restarts' })).json() as { targets: Array<{ cluster: string }> }).targets.map((t) => t.cluster);
    expect(await clustersInHistory()).toEqual(['dev', 'prod']);
    await service.writeConfig(configText({ clusters: [{ name: 'dev', url: dev.url }], restart: RESTART }));
    await service.app.reload();
    expect(await clustersInHistory()).toEqual(['dev']);
  });

  it('stays ready across a reload that replaces a cluster\'s settings', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    expect((await service.inject({ url: '/-/ready' })).statusCode).toBe(200);
    await service.writeConfig(configText({ clusters: [{ name: 'prod', url: sim.url, timeout: '5s' }] }));
    expect((await service.app.reload()).ok).toBe(true);
    expect((await service.inject({ url: '/-/ready' })).statusCode).toBe(200);
  });

  it('GET /-/reload is refused with 405', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    const response = await service.inject({ url: '/-/reload' });
    expect(response.statusCode).toBe(405);
    expect(response.headers['allow']).toBe('POST, PUT');
  });

  it('views and restart history survive a reload that replaces the cluster\'s settings', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }], restart: RESTART }) });
    await service.app.pollAll();
    expect(sim.requests.count({ method: 'POST' })).toBe(1);
    sim.settle();

    await service.writeConfig(configText({ clusters: [{ name: 'prod', url: sim.url, timeout: '5s' }], restart: RESTART }));
    expect((await service.app.reload()).ok).toBe(true);
    // Before any new poll, the replacement poller already knows the connectors.
    expect(service.app.views()[0]?.connectors.map((c) => c.status.name)).toEqual(['archive', 'orders-sink']);
    const listing = (await service.inject({ url: '/api/v1/restarts' })).json() as { targets: Array<{ task: number | null; attempt: number }> };
    expect(listing.targets).toMatchObject([{ task: 0, attempt: 1 }]);

    // The backoff from before the reload holds: no second restart yet.
    service.clock.advance(MINUTE);
    await service.app.pollAll();
    expect(sim.requests.count({ method: 'POST' })).toBe(1);
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'orders-sink', reason: 'backoff' })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connector: 'orders-sink', task: '0' })).toBe(1);
  });

  it('enabling auto-restart (in dry run) by reload applies at the next poll', async () => {
    const sim = await simulator({ connectors: FLEET });
    const service = await startService({ config: configText({ clusters: [{ name: 'prod', url: sim.url }] }) });
    await service.app.pollAll();
    // Disabled: the failure is counted as skipped, but no restart can happen, so it has no restart counters yet.
    const disabled = (await service.scrape()).samples;
    expect(valueOf(disabled, 'kafka_connect_autorestart_skipped_total', { connector: 'orders-sink', reason: 'disabled' })).toBe(1);
    expect(disabled.filter((sample) => sample.name.startsWith('kafka_connect_autorestart_restart'))).toEqual([]);
    await service.writeConfig(configText({ clusters: [{ name: 'prod', url: sim.url }], restart: { enabled: true, dryRun: true } }));
    await service.app.reload();
    await service.app.pollAll();
    const { samples } = await service.scrape();
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'orders-sink', reason: 'disabled' })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'orders-sink', reason: 'dry_run' })).toBe(1);
    expect(valueOf(samples, 'kafka_connect_autorestart_restarts_total', { connector: 'orders-sink', task: '0' })).toBe(0);
    expect(sim.requests.count({ method: 'POST' })).toBe(0);
  });
});
