// A live run reported from production, as a scenario for any Kafka Connect: the simulator (replay.test.ts) or real workers
// (test/kafka/real-connect.test.ts). The real connect-sentinel process watches the cluster; a real Prometheus with
// the shipped rules and a real Alertmanager with the shipped routing and inhibitions watch connect-sentinel.
//
// A task runs out of restarts and pages; connect-sentinel is killed (SIGKILL) and started again on the same data
// directory; a connector with a FAILED task is paused; a second connector runs out of restarts later, and is then
// fixed. Every notification Alertmanager sends is recorded: the caller asserts them.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultConfig } from '../../alerts/src/config.ts';
import { decodeClocks, STATE_CLOCKS_FILE } from '../../src/poller/state-clocks.ts';
import { spawnSentinel, type SentinelProcess } from '../reliability/process.ts';
import { freePort, startMonitoringStack, waitFor, withForDurations, type AlertmanagerAlert, type MonitoringStack } from './harness.ts';

export const EXHAUSTED = 'KafkaConnectAutoRestartExhausted';

/** What the scenario does to Kafka Connect; each resolves once Connect has been told. */
export interface ReplayConnect {
  /** The `clusters[]` entry connect-sentinel watches (its `name` is the connect_cluster label). */
  cluster: Record<string, unknown> & { name: string };
  /** Connector names, each with one task, RUNNING when the scenario starts. */
  connectors: { first: string; second: string; paused: string };
  /** Task 0 of `connector` fails, and again after every restart. */
  failForGood(connector: string): Promise<void>;
  /** Task 0 of `connector` fails and the connector is paused: a FAILED task of a PAUSED connector. */
  pauseWithFailedTask(connector: string): Promise<void>;
  /** Task 0 of `connector` runs again and keeps running. */
  fix(connector: string): Promise<void>;
}

export interface ReplayResult {
  /** Every notification, in arrival order, as the webhook received it (alerts reduced to what identifies them). */
  notifications: Array<{
    receiver: string;
    status: string;
    groupLabels: Record<string, string>;
    alerts: Array<{ status: string; alertname: string | undefined; connector: string | undefined; task: string | undefined }>;
  }>;
  /** The failed state clock of the first task before the kill, and after the restart. */
  clockBeforeKill: number;
  clockAfterRestart: number;
  /** The lowest `up` of connect-sentinel over the run: 0 proves the gap was seen. */
  lowestUp: number;
  /** What Alertmanager holds at the end. */
  alertmanagerAlerts: AlertmanagerAlert[];
}

/** A page as the webhook receives it, for the caller's expectations. */
export function page(cluster: string, connector: string, status: 'firing' | 'resolved') {
  return {
    receiver: 'pager',
    status,
    groupLabels: { alertname: EXHAUSTED, job: 'connect-sentinel', connect_cluster: cluster, connector, task: '0' },
    alerts: [{ status, alertname: EXHAUSTED, connector, task: '0' }],
  };
}

export async function replayLiveRun(connect: ReplayConnect, timeoutMs = 60_000): Promise<ReplayResult> {
  const dir = mkdtempSync(join(tmpdir(), 'monitoring-replay-'));
  const address = `127.0.0.1:${await freePort()}`;
  const configFile = join(dir, 'sentinel.yaml');
  const cluster = connect.cluster.name;
  const { first, second, paused } = connect.connectors;
  writeFileSync(
    configFile,
    stringify({
      web: { listenAddress: address },
      dataDir: join(dir, 'data'),
      clusters: [connect.cluster],
      restart: {
        enabled: true,
        // 2s apart, so that Prometheus (scraping every second) sees each restart.
        defaults: { backoff: { initial: '2s', multiplier: 1, max: '2s', jitter: 0 }, budget: { maxRestarts: 2, window: '1h' } },
        recovery: { healthyPolls: 1 },
      },
    }),
  );
  const start = async (): Promise<SentinelProcess> => {
    const process = spawnSentinel([`--config.file=${configFile}`]);
    await process.waitForLine('connect-sentinel started');
    return process;
  };
  // Short waits for a test, in the shipped proportions: an exporter restart is much shorter than ExporterDown's wait,
  // which a page outlasts by its keep_firing_for; a task that keeps failing exhausts its restarts before its Failed
  // ticket is due.
  const shortened = withForDurations(defaultConfig, '2s', {
    KafkaConnectExporterDown: '15s',
    KafkaConnectExporterInstanceDown: '15s',
    KafkaConnectTaskFailed: '20s',
    KafkaConnectConnectorFailed: '20s',
    KafkaConnectConnectorPaused: '1d',
  });
  const exhausted = { ...shortened.alerts.KafkaConnectAutoRestartExhausted, keepFiringFor: '20s' };
  const rules = { ...shortened, alerts: { ...shortened.alerts, KafkaConnectAutoRestartExhausted: exhausted } };

  let sentinel: SentinelProcess | undefined;
  let stack: MonitoringStack | undefined;
  try {
    sentinel = await start();
    stack = await startMonitoringStack({ target: address, config: rules });
    const monitoring = stack;
    /** The value of a query with exactly one result, once it has one. */
    const single = async (expr: string, what = expr): Promise<number> => {
      const samples = await waitFor(what, async () => {
        const result = await monitoring.query(expr);
        return result.length === 1 ? result : undefined;
      }, timeoutMs);
      return Number(samples[0]!.value[1]);
    };
    /** Waits until Prometheus has evaluated every rule group `count` more times (read from its own /metrics). */
    const ruleEvaluations = async (count: number): Promise<void> => {
      const iterations = async () => {
        const text = await (await fetch(`${monitoring.prometheusUrl}/metrics`)).text();
        return [...text.matchAll(/^prometheus_rule_group_iterations_total\{[^}]*\} (\S+)$/gm)].map((match) => Number(match[1]));
      };
      const from = await iterations();
      if (from.length === 0) throw new Error('Prometheus reports no rule group iterations');
      await waitFor(`${count} more rule evaluations`, async () => {
        const now = await iterations();
        return now.length === from.length && now.every((value, i) => value >= from[i]! + count) ? true : undefined;
      }, timeoutMs);
    };
    const selector = (connector: string) => `connect_cluster="${cluster}",connector="${connector}",task="0"`;
    await single(`kafka_connect_up{connect_cluster="${cluster}"} == 1`, 'Prometheus to scrape connect-sentinel');

    await connect.pauseWithFailedTask(paused);
    await connect.failForGood(first);
    await monitoring.webhook.waitForAlert('pager', { alertname: EXHAUSTED, connector: first, task: '0' }, timeoutMs);

    // The clock of the first failure is on disk before the kill.
    const clockBeforeKill = await single(`kafka_connect_task_state_since_timestamp_seconds{${selector(first)},state="failed"}`);
    await waitFor('the state clocks on disk', async () => {
      const saved = decodeClocks(readFileSync(join(dir, 'data', STATE_CLOCKS_FILE), 'utf8')).get(cluster)?.get(first);
      return saved?.tasks[0]?.state === 'failed' ? true : undefined;
    }, timeoutMs);
    sentinel.child.kill('SIGKILL');
    await sentinel.exited;
    await single('up{job="connect-sentinel"} == 0', 'Prometheus to see connect-sentinel down');
    sentinel = await start();
    await single('up{job="connect-sentinel"} == 1', 'Prometheus to see connect-sentinel back');
    const clockAfterRestart = await single(`kafka_connect_task_state_since_timestamp_seconds{${selector(first)},state="failed"}`);
    await single(`max(kafka_connect_autorestart_exhausted{${selector(first)}}) == 1`, 'the first task exhausted again, from the history');

    // Later, a second connector runs out of restarts.
    await connect.failForGood(second);
    await monitoring.webhook.waitForAlert('pager', { alertname: EXHAUSTED, connector: second, task: '0' }, timeoutMs);
    // Long enough for the tickets of both tasks to be due, and for any late notification to arrive.
    await waitFor('the Failed tickets of both tasks to be due', async () =>
      (await monitoring.query('ALERTS{alertname="KafkaConnectTaskFailed",alertstate="firing"}')).length === 2 ? true : undefined, timeoutMs);
    await ruleEvaluations(5);

    // The second one is fixed: its page resolves once its keep_firing_for is over.
    await connect.fix(second);
    await single(`max(kafka_connect_task_state{${selector(second)},state="running"}) == 1`, `${second} running`);
    await waitFor(`the page of ${second} to resolve`, async () =>
      monitoring.webhook.alerts().some((alert) => alert.status === 'resolved' && alert.labels.connector === second) ? true : undefined, timeoutMs);
    await ruleEvaluations(5);

    return {
      notifications: monitoring.webhook.received.map(({ receiver, body }) => ({
        receiver,
        status: body.status,
        groupLabels: body.groupLabels,
        alerts: body.alerts.map((alert) => ({ status: alert.status, alertname: alert.labels.alertname, connector: alert.labels.connector, task: alert.labels.task })),
      })),
      clockBeforeKill,
      clockAfterRestart,
      lowestUp: await single('min_over_time(up{job="connect-sentinel"}[10m])'),
      alertmanagerAlerts: await monitoring.alertmanagerAlerts(),
    };
  } catch (err) {
    throw new Error(`${String(err)}\n${stack?.logs() ?? ''}\n--- connect-sentinel\n${sentinel?.stdout().slice(-4000) ?? ''}`, { cause: err });
  } finally {
    await sentinel?.close();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
