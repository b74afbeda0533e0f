import { describe, expect, it } from 'vitest';
import { ALL_METRICS } from '../../src/metrics/catalogue.ts';
import { createSelfMetrics, type SelfMetrics } from '../../src/metrics/self.ts';
import { samplesOf, validateExposition, type Sample } from './validator.ts';

function create(): SelfMetrics {
  return createSelfMetrics({ processMetrics: false, version: '1.2.3', nodejsVersion: '24.9.0' });
}

async function samples(self: SelfMetrics, name?: string): Promise<Sample[]> {
  const all = samplesOf(await self.text('prometheus'));
  return name === undefined ? all : all.filter((sample) => sample.name === name);
}

describe('createSelfMetrics', () => {
  it('registers every self metric of the catalogue with its type, help and labels', async () => {
    const self = create();
    // The gauges that stay absent until a first value: give them one.
    self.setConfigReload(true, 1);
    self.setHistoryWritable(true);
    self.watchCluster('prod', { tlsVerificationDisabled: false, pollIntervalSeconds: 15 });
    const text = await self.text('prometheus');
    const types = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]]));
    const helps = new Map([...text.matchAll(/^# HELP (\S+) (.*)$/gm)].map((match) => [match[1], match[2]]));
    const own = ALL_METRICS.filter((metric) => metric.source === 'self');
    for (const definition of own) {
      expect(types.get(definition.name), definition.name).toBe(definition.type);
      expect(helps.get(definition.name), definition.name).toBe(definition.help);
    }
    expect(types.size).toBe(own.length);
  });

  it('says which version runs on which Node.js', async () => {
    expect(await samples(create(), 'kafka_connect_exporter_build_info')).toEqual([
      { name: 'kafka_connect_exporter_build_info', labels: { version: '1.2.3', nodejs_version: '24.9.0' }, value: '1' },
    ]);
    const running = createSelfMetrics({ processMetrics: false, version: '1.2.3' });
    expect((await samples(running, 'kafka_connect_exporter_build_info'))[0]?.labels['nodejs_version']).toBe(process.versions.node);
  });

  it('counts REST requests per cluster, endpoint and code', async () => {
    const self = create();
    self.restRequest('prod', 'connectors', '200');
    self.restRequest('prod', 'connectors', '200');
    self.restRequest('prod', 'task_restart', 'timeout');
    expect(await samples(self, 'kafka_connect_exporter_rest_requests_total')).toEqual([
      { name: 'kafka_connect_exporter_rest_requests_total', labels: { connect_cluster: 'prod', endpoint: 'connectors', code: '200' }, value: '2' },
      { name: 'kafka_connect_exporter_rest_requests_total', labels: { connect_cluster: 'prod', endpoint: 'task_restart', code: 'timeout' }, value: '1' },
    ]);
  });

  it('counts restarts and failures with a task label only for tasks', async () => {
    const self = create();
    self.restart({ cluster: 'prod', connector: 'c' });
    self.restart({ cluster: 'prod', connector: 'c', task: 0 });
    self.restartFailure({ cluster: 'prod', connector: 'c', task: 0 });
    expect(await samples(self, 'kafka_connect_autorestart_restarts_total')).toEqual([
      { name: 'kafka_connect_autorestart_restarts_total', labels: { connect_cluster: 'prod', connector: 'c' }, value: '1' },
      { name: 'kafka_connect_autorestart_restarts_total', labels: { connect_cluster: 'prod', connector: 'c', task: '0' }, value: '1' },
    ]);
    expect(await samples(self, 'kafka_connect_autorestart_restart_failures_total')).toEqual([
      { name: 'kafka_connect_autorestart_restart_failures_total', labels: { connect_cluster: 'prod', connector: 'c', task: '0' }, value: '1' },
    ]);
  });

  it('starts the restart counters of a watched target at 0 and keeps their counts', async () => {
    const self = create();
    self.watchTarget({ cluster: 'prod', connector: 'c', task: 2 });
    expect(await samples(self, 'kafka_connect_autorestart_restarts_total')).toEqual([
      { name: 'kafka_connect_autorestart_restarts_total', labels: { connect_cluster: 'prod', connector: 'c', task: '2' }, value: '0' },
    ]);
    self.restart({ cluster: 'prod', connector: 'c', task: 2 });
    self.watchTarget({ cluster: 'prod', connector: 'c', task: 2 });
    expect(await samples(self, 'kafka_connect_autorestart_restarts_total')).toEqual([
      { name: 'kafka_connect_autorestart_restarts_total', labels: { connect_cluster: 'prod', connector: 'c', task: '2' }, value: '1' },
    ]);
    expect(await samples(self, 'kafka_connect_autorestart_restart_failures_total')).toEqual([
      { name: 'kafka_connect_autorestart_restart_failures_total', labels: { connect_cluster: 'prod', connector: 'c', task: '2' }, value: '0' },
    ]);
  });

  it('counts skips by reason and poll errors by reason', async () => {
    const self = create();
    self.skipped('prod', 'c', 'backoff');
    self.skipped('prod', 'c', 'backoff');
    self.pollError('prod', 'untrusted');
    expect(await samples(self, 'kafka_connect_autorestart_skipped_total')).toEqual([
      { name: 'kafka_connect_autorestart_skipped_total', labels: { connect_cluster: 'prod', connector: 'c', reason: 'backoff' }, value: '2' },
    ]);
    expect(await samples(self, 'kafka_connect_exporter_poll_errors_total')).toEqual([
      { name: 'kafka_connect_exporter_poll_errors_total', labels: { connect_cluster: 'prod', reason: 'untrusted' }, value: '1' },
    ]);
  });

  it('shows no reload metrics before the first load, then keeps the last success timestamp through a failure', async () => {
    const self = create();
    expect(await samples(self, 'kafka_connect_exporter_config_last_reload_successful')).toEqual([]);
    expect(await samples(self, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds')).toEqual([]);
    self.setConfigReload(false, 100);
    expect((await samples(self, 'kafka_connect_exporter_config_last_reload_successful'))[0]?.value).toBe('0');
    expect(await samples(self, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds')).toEqual([]);
    self.setConfigReload(true, 200.5);
    self.setConfigReload(false, 300);
    expect((await samples(self, 'kafka_connect_exporter_config_last_reload_successful'))[0]?.value).toBe('0');
    expect((await samples(self, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds'))[0]?.value).toBe('200.5');
  });

  it('shows history writability only once the storage layer reports it, and counts write failures from 0', async () => {
    const self = create();
    expect(await samples(self, 'kafka_connect_exporter_history_writable')).toEqual([]);
    expect((await samples(self, 'kafka_connect_exporter_history_write_failures_total'))[0]?.value).toBe('0');
    self.setHistoryWritable(false);
    self.historyWriteFailure();
    expect((await samples(self, 'kafka_connect_exporter_history_writable'))[0]?.value).toBe('0');
    expect((await samples(self, 'kafka_connect_exporter_history_write_failures_total'))[0]?.value).toBe('1');
    self.setHistoryWritable(true);
    expect((await samples(self, 'kafka_connect_exporter_history_writable'))[0]?.value).toBe('1');
  });

  it('forgets a connector and a cluster, leaving the others', async () => {
    const self = create();
    for (const cluster of ['prod', 'staging']) {
      self.restRequest(cluster, 'connectors', '200');
      self.pollError(cluster, 'http');
      for (const connector of ['a', 'b']) {
        self.restart({ cluster, connector });
        self.restart({ cluster, connector, task: 1 });
        self.restartFailure({ cluster, connector, task: 1 });
        self.skipped(cluster, connector, 'blackout');
      }
    }
    await self.forgetConnector('prod', 'a');
    const left = (await samples(self)).filter((sample) => sample.labels['connect_cluster'] === 'prod');
    expect(left.some((sample) => sample.labels['connector'] === 'a')).toBe(false);
    expect(left.filter((sample) => sample.labels['connector'] === 'b')).toHaveLength(4);

    await self.forgetCluster('prod');
    const clusters = new Set((await samples(self)).map((sample) => sample.labels['connect_cluster']).filter(Boolean));
    expect([...clusters]).toEqual(['staging']);
    expect((await samples(self)).filter((sample) => sample.labels['connect_cluster'] === 'staging')).toHaveLength(10);
  });

  it('switches the process metrics on and off', async () => {
    expect((await samples(create())).some((sample) => sample.name.startsWith('process_'))).toBe(false);
    const withProcess = createSelfMetrics({ processMetrics: true, version: '1.2.3' });
    expect((await samples(withProcess)).some((sample) => sample.name === 'process_cpu_seconds_total')).toBe(true);
  });

  it('writes its own metrics again only after a change, and the process metrics at every call', async () => {
    const self = createSelfMetrics({ processMetrics: true, version: '1.2.3', nodejsVersion: '24.9.0' });
    const own = (text: string) => text.split('\n').filter((line) => line.startsWith('kafka_connect_')).join('\n');
    const first = await self.text('prometheus');
    expect(own(await self.text('prometheus'))).toBe(own(first));
    self.restRequest('prod', 'connectors', '200');
    expect(await self.text('prometheus')).toContain('kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="connectors",code="200"} 1');
    self.restRequest('prod', 'connectors', '200');
    expect(await self.text('openmetrics')).toContain('kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="connectors",code="200"} 2');
    expect(await self.text('prometheus')).toContain('kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="connectors",code="200"} 2');
    await self.forgetCluster('prod');
    expect(await self.text('prometheus')).not.toContain('connect_cluster="prod"');
    // The process metrics come after connect-sentinel's own, fresh at every call.
    const text = await self.text('prometheus');
    expect(text.indexOf('process_cpu_user_seconds_total')).toBeGreaterThan(text.lastIndexOf('kafka_connect_'));
  });

  it('shows the change of every handle at the next call (none of them leaves the written text stale)', async () => {
    const ref = { cluster: 'prod', connector: 'c', task: 1 };
    const changes: Array<[string, (self: SelfMetrics) => unknown]> = [
      ['restRequest', (self) => self.restRequest('prod', 'connectors', '200')],
      ['pollError', (self) => self.pollError('prod', 'timeout')],
      ['restart', (self) => self.restart(ref)],
      ['restartFailure', (self) => self.restartFailure(ref)],
      ['watchTarget', (self) => self.watchTarget(ref)],
      ['skipped', (self) => self.skipped('prod', 'c', 'backoff')],
      ['setConfigReload', (self) => self.setConfigReload(false, 2)],
      ['setHistoryWritable', (self) => self.setHistoryWritable(false)],
      ['historyWriteFailure', (self) => self.historyWriteFailure()],
      ['forgetConnector', (self) => self.forgetConnector('prod', 'c')],
      ['forgetCluster', (self) => self.forgetCluster('prod')],
    ];
    for (const [name, change] of changes) {
      const self = create();
      self.restRequest('prod', 'connectors', '200');
      self.restart(ref);
      self.skipped('prod', 'c', 'backoff');
      self.setConfigReload(true, 1);
      self.setHistoryWritable(true);
      const before = await self.text('prometheus');
      await change(self);
      expect(await self.text('prometheus'), name).not.toBe(before);
    }
  });

  it('writes catalogue metrics first, in catalogue order, however they were registered', async () => {
    const self = create();
    self.setHistoryWritable(true);
    self.setConfigReload(true, 1);
    const text = await self.text('openmetrics');
    const families = [...text.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]);
    expect(families.indexOf('kafka_connect_exporter_config_last_reload_successful')).toBeLessThan(
      families.indexOf('kafka_connect_exporter_history_writable'),
    );
    expect(validateExposition(`${text}# EOF\n`, 'openmetrics')).toEqual([]);
  });
});
