// The real process: `node src/main.ts …` with flags, signals and exit codes, against simulators over loopback.
// Every process is bounded by a deadline and killed after each test.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/restart/lock.ts';
import { startSimulator, type ConnectorSpec, type Simulator } from '../../packages/simulator/src/index.ts';
import { promtoolCheckMetrics } from '../metrics/promtool.ts';
import { samplesOf } from '../metrics/validator.ts';
import { makePki } from '../security/pki.ts';
import { valueOf } from '../service/harness.ts';
import { DEADLINE_MS, killAll, runSentinel, startSentinel, type SentinelProcess } from './process.ts';

const FLEET: ConnectorSpec[] = [
  { name: 'orders-sink', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector', tasks: [{}, { state: 'FAILED', failure: 'jdbc-sink-batch' }] },
  { name: 'archive', connectorClass: 'io.confluent.connect.s3.S3SinkConnector', tasks: 1 },
];

let dir: string;
const simulators: Simulator[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sentinel-cli-'));
});

afterEach(async () => {
  killAll();
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
  await rm(dir, { recursive: true, force: true });
});

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<Simulator> {
  const sim = await startSimulator({ connectors: FLEET, ...options });
  simulators.push(sim);
  return sim;
}

/** Retries `check` until it passes or the deadline: the only way to wait on another process's own schedule. */
async function eventually<T>(check: () => Promise<T>, what: string): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function startedPort(sentinel: SentinelProcess): Promise<number> {
  const line = await sentinel.waitForLog((l) => l['msg'] === 'connect-sentinel started', 'the start log line');
  expect(typeof line['port']).toBe('number');
  return line['port'] as number;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

function metricValue(body: string, name: string, labels: Record<string, string> = {}): number | undefined {
  return valueOf(samplesOf(body), name, labels);
}

function clusterConfig(url: string, name = 'prod'): string {
  return `clusters:\n  - name: ${name}\n    url: ${url}\nweb:\n  listenAddress: 127.0.0.1:0\ndataDir: data\n`;
}

describe('command line', () => {
  it('--config.check: a valid file exits 0', async () => {
    await writeFile(join(dir, 'sentinel.yaml'), clusterConfig('http://connect:8083'));
    const result = await runSentinel(['--config.file=sentinel.yaml', '--config.check'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: 'sentinel.yaml: configuration is valid (1 cluster(s))\n', stderr: '' });
    expect(existsSync(join(dir, 'data'))).toBe(false);
  });

  it('--config.check: an invalid file exits 1 and names the key path', async () => {
    await writeFile(join(dir, 'sentinel.yaml'), 'clusters:\n  - name: prod\n    url: http://connect:8083\n    pollIntervall: 5s\n');
    const result = await runSentinel(['--config.file', 'sentinel.yaml', '--config.check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sentinel.yaml: clusters[0].pollIntervall: unknown key (did you mean pollInterval?)');
  });

  it('--config.check warns of a cluster whose worker certificates go unverified, and still exits 0', async () => {
    await writeFile(join(dir, 'sentinel.yaml'), `${clusterConfig('https://connect:8083')}`.replace('url: https://connect:8083', 'url: https://connect:8083\n    tls: { insecureSkipVerify: true }'));
    const result = await runSentinel(['--config.file=sentinel.yaml', '--config.check'], { cwd: dir });
    expect(result).toMatchObject({
      code: 0,
      stderr: 'warning: clusters[0] "prod": tls.insecureSkipVerify is on: worker certificates are not verified\n',
    });
  });

  it('--help prints the usage and exits 0; --version prints the version and exits 0', async () => {
    const help = await runSentinel(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: connect-sentinel /);
    for (const flag of ['--config.file', '--config.check', '--connect.url', '--web.listen-address', '--demo']) expect(help.stdout).toContain(flag);
    const version = await runSentinel(['--version'], { cwd: dir });
    const { version: expected } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(new RegExp(`^connect-sentinel ${expected.replace(/\./g, '\\.')} \\(node 24\\.`));
  });

  it('an unknown flag exits 2 with a suggestion and the usage', async () => {
    const result = await runSentinel(['--config.fiel=sentinel.yaml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown flag --config.fiel (did you mean --config.file?)');
    expect(result.stderr).toContain('usage: connect-sentinel');
    expect(result.stdout).toBe('');
  });

  it('--connect.url watches a single cluster (basic auth password from the environment) and serves /metrics', async () => {
    const sim = await simulator({ basicAuth: { username: 'admin', password: 'cli-secret-9' } });
    const sentinel = startSentinel(
      ['--connect.url', sim.url, '--connect.name=single', '--connect.username=admin', '--web.listen-address=127.0.0.1:0', '--data.dir=data'],
      { cwd: dir, env: { CONNECT_SENTINEL_PASSWORD: 'cli-secret-9' } },
    );
    const port = await startedPort(sentinel);
    await eventually(async () => expect((await get(port, '/-/ready')).status).toBe(200), 'readiness');
    const metrics = await get(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metricValue(metrics.body, 'kafka_connect_up', { connect_cluster: 'single' })).toBe(1);
    expect(metricValue(metrics.body, 'kafka_connect_task_state', { connector: 'orders-sink', task: '1', state: 'failed' })).toBe(1);
    expect(sim.requests.count({ path: '/connectors', status: 200 })).toBeGreaterThanOrEqual(1);
    expect(sentinel.stdout() + sentinel.stderr()).not.toContain('cli-secret-9');
  });

  it('SIGHUP reloads the config file; a broken file sets the success gauge to 0 and the service keeps serving', async () => {
    const sim = await simulator();
    const configPath = join(dir, 'sentinel.yaml');
    await writeFile(configPath, clusterConfig(sim.url));
    const sentinel = startSentinel(['--config.file=sentinel.yaml'], { cwd: dir });
    const port = await startedPort(sentinel);
    const reloadedAt = async () => metricValue((await get(port, '/metrics')).body, 'kafka_connect_exporter_config_last_reload_success_timestamp_seconds');
    const successful = async () => metricValue((await get(port, '/metrics')).body, 'kafka_connect_exporter_config_last_reload_successful');
    const loadedAt = await reloadedAt();
    expect(await successful()).toBe(1);

    const other = await simulator();
    await writeFile(configPath, `${clusterConfig(sim.url)}`.replace('clusters:\n', `clusters:\n  - name: dev\n    url: ${other.url}\n`));
    sentinel.child.kill('SIGHUP');
    await sentinel.waitForLog((l) => l['msg'] === 'Configuration reloaded', 'the reload log line');
    expect(await reloadedAt()).toBeGreaterThan(loadedAt ?? Infinity);
    await eventually(async () => expect(metricValue((await get(port, '/metrics')).body, 'kafka_connect_up', { connect_cluster: 'dev' })).toBe(1), 'the new cluster polled');

    await writeFile(configPath, 'clusters: []\n');
    sentinel.child.kill('SIGHUP');
    const failure = await sentinel.waitForLog((l) => l['msg'] === 'Configuration reload failed; keeping the current configuration', 'the failed reload');
    expect(JSON.stringify(failure)).toContain('clusters');
    expect(await successful()).toBe(0);
    const metrics = await get(port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metricValue(metrics.body, 'kafka_connect_up', { connect_cluster: 'prod' })).toBe(1);
    expect(sentinel.child.exitCode).toBeNull();
  });

  it('SIGTERM exits 0 promptly and releases the data-dir lock', async () => {
    const sim = await simulator();
    await writeFile(join(dir, 'sentinel.yaml'), clusterConfig(sim.url));
    const sentinel = startSentinel(['--config.file=sentinel.yaml'], { cwd: dir });
    await startedPort(sentinel);
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(true);
    sentinel.child.kill('SIGTERM');
    expect(await sentinel.exited()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(false);
    expect(sentinel.logs().map((l) => l['msg'])).toContain('Stopped');
  });

  it('--demo starts, and serves metrics with failures and restarts within seconds that pass promtool\'s lint', async () => {
    const sentinel = startSentinel(['--demo', '--web.listen-address=127.0.0.1:0', '--data.dir=data'], { cwd: dir });
    const port = await startedPort(sentinel);
    const banner = await sentinel.waitForLog((l) => String(l['msg']).startsWith('Demo mode'), 'the demo banner');
    expect(banner['metrics']).toBe(`http://localhost:${port}/metrics`);
    // Each fact as soon as the service has reached it: on a loaded machine the first restart round may end a moment
    // after the first scrape.
    const body = await eventually(async () => {
      const { body } = await get(port, '/metrics');
      expect(metricValue(body, 'kafka_connect_up', { connect_cluster: 'legacy-2-2' })).toBe(1);
      expect(metricValue(body, 'kafka_connect_up', { connect_cluster: 'charmed-prod' })).toBe(1);
      expect(metricValue(body, 'kafka_connect_connector_state', { connector: 'billing-jdbc-sink', state: 'failed' })).toBe(1);
      expect(metricValue(body, 'kafka_connect_autorestart_exhausted', { connector: 'billing-jdbc-sink' })).toBe(1);
      expect(metricValue(body, 'kafka_connect_autorestart_restarts_total', { connector: 'inventory-jdbc-source', task: '0' })).toBe(1);
      return body;
    }, 'both demo clusters polled, a restart sent and a connector given up on');
    // People lint an exporter against its live endpoint: the process metrics are part of it.
    expect(body).toContain('process_cpu_seconds_total');
    expect(promtoolCheckMetrics(body)).toEqual({ status: 0, output: '' });
    sentinel.child.kill('SIGTERM');
    expect((await sentinel.exited()).code).toBe(0);
  });
});

describe('web TLS keys are checked as start loads them', () => {
  const pki = makePki();
  afterAll(() => pki.remove());

  const withWebTls = (url: string, keyFile: string) =>
    `clusters:\n  - name: prod\n    url: ${url}\nweb:\n  listenAddress: 127.0.0.1:0\n  tls:\n    certFile: ${JSON.stringify(pki.path('server.pem'))}\n` +
    `    keyFile: ${JSON.stringify(keyFile)}\ndataDir: data\n`;

  it.each([
    ['a garbage key', () => '-----BEGIN PRIVATE KEY-----\nZ2FyYmFnZQ==\n-----END PRIVATE KEY-----\n', 'unsupported'],
    ['a key of another certificate', () => pki.read('client.key'), 'key values mismatch'],
  ])('--config.check refuses %s, naming web.tls.keyFile', async (_, key, reason) => {
    await writeFile(join(dir, 'web.key'), key());
    await writeFile(join(dir, 'sentinel.yaml'), withWebTls('http://connect:8083', join(dir, 'web.key')));
    const result = await runSentinel(['--config.file=sentinel.yaml', '--config.check'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`web.tls.keyFile: does not load as a key pair with the certificate: ${reason}`);
  });

  it('start with a mismatched key exits 1 with the reason, not an OpenSSL stack trace, and leaves no lock', async () => {
    await writeFile(join(dir, 'web.key'), pki.read('client.key'));
    await writeFile(join(dir, 'sentinel.yaml'), withWebTls('http://connect:8083', join(dir, 'web.key')));
    const result = await runSentinel(['--config.file=sentinel.yaml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('web.tls.keyFile: does not load as a key pair with the certificate: key values mismatch');
    expect(result.stderr).not.toContain('    at ');
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(false);
  });
});

describe('signals during start-up', () => {
  /** The signals a process catches, from /proc: bit n-1 of SigCgt is signal n. */
  async function catches(pid: number, signal: number): Promise<boolean> {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const mask = /SigCgt:\s*([0-9a-f]+)/.exec(status)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << BigInt(signal - 1))) !== 0n;
  }

  it('SIGHUP before the service has started neither ends the process nor is lost: it reloads once started', async () => {
    const sim = await simulator();
    await writeFile(join(dir, 'sentinel.yaml'), clusterConfig(sim.url));
    const sentinel = startSentinel(['--config.file=sentinel.yaml'], { cwd: dir });
    const pid = sentinel.child.pid ?? 0;
    const started = () => sentinel.logs().some((l) => l['msg'] === 'connect-sentinel started');
    // SIGHUP is caught as soon as the entry module runs, long before the service has started.
    await eventually(async () => {
      if (!(await catches(pid, 1))) throw new Error('SIGHUP not caught yet');
    }, 'SIGHUP caught');
    expect(started()).toBe(false);
    let sent = 0;
    while (!started() && sentinel.child.exitCode === null && sent < 500) {
      sentinel.child.kill('SIGHUP');
      sent += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await startedPort(sentinel);
    expect(sent).toBeGreaterThan(0);
    await sentinel.waitForLog((l) => l['msg'] === 'SIGHUP arrived during start-up; reloading the configuration now', 'the start-up reload');
    sentinel.child.kill('SIGTERM');
    expect(await sentinel.exited()).toEqual({ code: 0, signal: null });
  });
});
