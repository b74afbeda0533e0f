// Issue 13's live run, replayed: the real connect-sentinel process against the simulator, a real Prometheus with the
// shipped rules and a real Alertmanager with the shipped routing and inhibitions. A task runs out of restarts and
// pages; connect-sentinel is killed (SIGKILL) and started again on the same data directory; a connector with a FAILED
// task is paused; a second connector runs out of restarts later, and is then fixed. Every notification Alertmanager
// sent is checked: one page per exhausted task, each on its own, none resolved by the exporter's restart, the fixed
// one resolved, and nothing else.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultConfig } from '../../alerts/src/config.ts';
import { decodeClocks, STATE_CLOCKS_FILE } from '../../src/poller/state-clocks.ts';
import { startSimulator, type Simulator } from '../../src/simulator/index.ts';
import { spawnSentinel, type SentinelProcess } from '../reliability/process.ts';
import { freePort, startMonitoringStack, waitFor, withForDurations, type MonitoringStack } from './harness.ts';

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const EXHAUSTED = 'KafkaConnectAutoRestartExhausted';

let dir: string;
let configFile: string;
let address: string;
let simulator: Simulator;
let stack: MonitoringStack;
let sentinel: SentinelProcess | undefined;

async function startSentinel(): Promise<SentinelProcess> {
  const process = spawnSentinel([`--config.file=${configFile}`]);
  await process.waitForLine('connect-sentinel started');
  return process;
}

/** The value of a query with exactly one result, once it has one. */
async function single(expr: string, what = expr): Promise<number> {
  const samples = await waitFor(what, async () => {
    const result = await stack.query(expr);
    return result.length === 1 ? result : undefined;
  }, 30_000);
  return Number(samples[0]!.value[1]);
}

/** Waits until Prometheus has evaluated every rule group `count` more times from now (read from its own /metrics). */
async function ruleEvaluations(count: number): Promise<void> {
  const iterations = async () => {
    const text = await (await fetch(`${stack.prometheusUrl}/metrics`)).text();
    return [...text.matchAll(/^prometheus_rule_group_iterations_total\{[^}]*\} (\S+)$/gm)].map((match) => Number(match[1]));
  };
  const from = await iterations();
  expect(from.length).toBeGreaterThan(0);
  await waitFor(`${count} more rule evaluations`, async () => {
    const now = await iterations();
    return now.length === from.length && now.every((value, i) => value >= from[i]! + count) ? true : undefined;
  }, 30_000);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'monitoring-replay-'));
  simulator = await startSimulator({
    restartMode: 'auto',
    restartDelayMs: 200,
    connectors: [
      { name: 'orders', connectorClass: JDBC_SINK, tasks: 1 },
      { name: 'inventory', connectorClass: JDBC_SOURCE, tasks: 1 },
      { name: 'audit', connectorClass: JDBC_SINK, tasks: 1 },
      { name: 'clicks', connectorClass: JDBC_SOURCE, tasks: 2 },
      { name: 'billing', connectorClass: JDBC_SINK, tasks: 1 },
    ],
  });
  address = `127.0.0.1:${await freePort()}`;
  configFile = join(dir, 'sentinel.yaml');
  writeFileSync(
    configFile,
    stringify({
      web: { listenAddress: address },
      dataDir: join(dir, 'data'),
      clusters: [{ name: 'prod', url: simulator.url, pollInterval: '1s' }],
      restart: {
        enabled: true,
        // 2s apart, so that Prometheus (scraping every second) sees each restart.
        defaults: { backoff: { initial: '2s', multiplier: 1, max: '2s', jitter: 0 }, budget: { maxRestarts: 2, window: '1h' } },
        recovery: { healthyPolls: 1 },
      },
    }),
  );
  sentinel = await startSentinel();
  // Short waits for a test, but in the shipped proportions: an exporter restart is much shorter than ExporterDown's
  // wait, and a task that keeps failing exhausts its restarts before its Failed ticket would be due.
  const shortened = withForDurations(defaultConfig, '2s', {
    KafkaConnectExporterDown: '15s',
    KafkaConnectExporterInstanceDown: '15s',
    KafkaConnectTaskFailed: '20s',
    KafkaConnectConnectorFailed: '20s',
    KafkaConnectConnectorPaused: '1d',
  });
  // A page outlasts ExporterDown's wait by its keep_firing_for, as the shipped 15 minutes outlast its 10.
  const exhausted = { ...shortened.alerts.KafkaConnectAutoRestartExhausted, keepFiringFor: '20s' };
  const rules = { ...shortened, alerts: { ...shortened.alerts, KafkaConnectAutoRestartExhausted: exhausted } };
  stack = await startMonitoringStack({ target: address, config: rules });
  await single('kafka_connect_up{connect_cluster="prod"} == 1', 'Prometheus to scrape connect-sentinel');
}, 60_000);

afterAll(async () => {
  await sentinel?.close();
  await stack?.close();
  await simulator?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the live run of issue 13, replayed', () => {
  it('pages once per exhausted task through a kill and restart of connect-sentinel and a pause, resolves the fixed one, and sends nothing else', async () => {
    // A FAILED task of a paused connector: someone's decision, never a ticket or a page.
    simulator.cluster.pause('audit');
    simulator.cluster.failTask('audit', 0, 'connection-refused');
    simulator.cluster.setRestartScript('audit', 0, { permanent: true });
    // orders task 0 fails again after every restart.
    simulator.cluster.failTask('orders', 0, 'jdbc-sink-batch');
    simulator.cluster.setRestartScript('orders', 0, { permanent: true });
    await stack.webhook.waitForAlert('pager', { alertname: EXHAUSTED, connector: 'orders', task: '0' }, 40_000);

    // The clock of orders' failure is on disk before the kill, and the same afterwards.
    const failingSince = await single('kafka_connect_task_state_since_timestamp_seconds{connector="orders",task="0",state="failed"}');
    await waitFor('the state clocks on disk', async () => {
      const saved = decodeClocks(readFileSync(join(dir, 'data', STATE_CLOCKS_FILE), 'utf8')).get('prod')?.get('orders');
      return saved?.tasks[0]?.state === 'failed' ? true : undefined;
    }, 30_000);
    sentinel!.child.kill('SIGKILL');
    await sentinel!.exited;
    await single('up{job="connect-sentinel"} == 0', 'Prometheus to see connect-sentinel down');
    sentinel = await startSentinel();
    await single('up{job="connect-sentinel"} == 1', 'Prometheus to see connect-sentinel back');
    expect(await single('kafka_connect_task_state_since_timestamp_seconds{connector="orders",task="0",state="failed"}')).toBe(failingSince);
    expect(await single(`max(kafka_connect_autorestart_exhausted{connector="orders",task="0"})`)).toBe(1);

    // Later, a second connector runs out of restarts: its own page, at once, not folded into the first one's.
    simulator.cluster.failTask('inventory', 0, 'connection-refused');
    simulator.cluster.setRestartScript('inventory', 0, { permanent: true });
    await stack.webhook.waitForAlert('pager', { alertname: EXHAUSTED, connector: 'inventory', task: '0' }, 40_000);
    // Long enough for the tickets of both tasks (20s) to be due, and for any late notification to arrive.
    await waitFor('the Failed tickets of both tasks to be due', async () =>
      (await stack.query('ALERTS{alertname="KafkaConnectTaskFailed",alertstate="firing"}')).length === 2 ? true : undefined, 40_000);
    await ruleEvaluations(5);

    // inventory is fixed: its page resolves once its keep_firing_for is over, and only then.
    simulator.cluster.setTaskState('inventory', 0, 'RUNNING');
    await single('max(kafka_connect_task_state{connector="inventory",task="0",state="running"}) == 1', 'inventory running');
    await waitFor('the page of inventory to resolve', async () =>
      stack.webhook.alerts().some((alert) => alert.status === 'resolved' && alert.labels.connector === 'inventory') ? true : undefined, 60_000);
    await ruleEvaluations(5);

    const notifications = stack.webhook.received.map(({ receiver, body }) => ({
      receiver,
      status: body.status,
      groupLabels: body.groupLabels,
      alerts: body.alerts.map((alert) => ({ status: alert.status, alertname: alert.labels.alertname, connector: alert.labels.connector, task: alert.labels.task })),
    }));
    const page = (connector: string, status: 'firing' | 'resolved') => ({
      receiver: 'pager',
      status,
      groupLabels: { alertname: EXHAUSTED, job: 'connect-sentinel', connect_cluster: 'prod', connector, task: '0' },
      alerts: [{ status, alertname: EXHAUSTED, connector, task: '0' }],
    });
    expect(notifications).toEqual([page('orders', 'firing'), page('inventory', 'firing'), page('inventory', 'resolved')]);

    // The gap was real, and nothing that watched it spoke: no ExporterDown, no ClusterGone, no resolved page.
    expect(await single('min_over_time(up{job="connect-sentinel"}[10m])')).toBe(0);
    const alerts = await stack.alertmanagerAlerts();
    const state = (alertname: string, connector: string) =>
      alerts.find((alert) => alert.labels.alertname === alertname && alert.labels.connector === connector)?.status.state;
    expect(state('KafkaConnectTaskFailed', 'orders')).toBe('suppressed');
    expect(state('KafkaConnectTaskFailed', 'inventory')).toBeUndefined();
    expect(alerts.filter((alert) => alert.labels.connector === 'audit')).toEqual([]);
    expect(alerts.map((alert) => alert.labels.alertname).filter((name) => /ExporterDown|ExporterInstanceDown|ClusterGone/.test(name!))).toEqual([]);
  }, 240_000);
});
