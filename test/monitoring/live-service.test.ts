// The whole chain for real: the Kafka Connect simulator, connect-sentinel restarting failed tasks, Prometheus with
// the shipped rules (short `for` durations), Alertmanager with the shipped routing, and a webhook receiver.
// A task that keeps failing exhausts its restart budget and pages; a task that one restart heals reaches nobody; and
// every dashboard query has data from the real exporter.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../alerts/src/config.ts';
import { recordingRules } from '../../alerts/src/recording.ts';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { DASHBOARD_FILES, dashboardQueries, loadDashboard, substitute, variableQueries } from './dashboard-queries.ts';
import { freePort, startMonitoringStack, waitFor, withForDurations, type MonitoringStack } from './harness.ts';
import { startLiveSentinel, type LiveSentinel } from './sentinel.ts';

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const MAX_RESTARTS = 2;

let simulator: Simulator;
let sentinel: LiveSentinel;
let stack: MonitoringStack;

beforeAll(async () => {
  simulator = await startSimulator({
    restartMode: 'auto',
    restartDelayMs: 200,
    connectors: [
      { name: 'orders-jdbc-sink', connectorClass: JDBC_SINK, tasks: 3 },
      { name: 'inventory-jdbc-source', connectorClass: JDBC_SOURCE, tasks: 1 },
      // A missing config: a built-in rule says never, so it pages at once.
      { name: 'billing-jdbc-sink', connectorClass: JDBC_SINK, state: 'FAILED', failure: 'config-missing', restart: { permanent: true }, tasks: [] },
      { name: 'audit-jdbc-sink', connectorClass: JDBC_SINK, state: 'PAUSED', tasks: 1 },
      { name: 'legacy-jdbc-source', connectorClass: JDBC_SOURCE, state: 'STOPPED', tasks: [] },
      { name: 'clicks-jdbc-source', connectorClass: JDBC_SOURCE, tasks: [{ state: 'UNASSIGNED' }, {}] },
    ],
  });
  sentinel = await startLiveSentinel({
    clusters: [
      { name: 'prod', url: simulator.url, pollInterval: '1s' },
      // Nothing listens there: an unreachable cluster.
      { name: 'gone', url: `http://127.0.0.1:${await freePort()}`, pollInterval: '1s', timeout: '500ms' },
    ],
    restart: {
      enabled: true,
      // 2s apart, so that Prometheus (scraping every second) sees each restart.
      defaults: { backoff: { initial: '2s', multiplier: 1, max: '2s', jitter: 0 }, budget: { maxRestarts: MAX_RESTARTS, window: '1h' } },
      recovery: { healthyPolls: 1 },
      rules: [{ name: 'database-down', match: { connectors: ['orders-jdbc-sink'], rootCauses: ['java.net.ConnectException'] }, backoff: { initial: '1h', max: '1h' } }],
    },
  });
  // Failed alerts wait 8s: long enough for one restart to heal, short for a test.
  const rules = withForDurations(defaultConfig, '2s', { KafkaConnectTaskFailed: '8s', KafkaConnectConnectorFailed: '8s' });
  stack = await startMonitoringStack({ target: sentinel.address, config: rules });
  // Failures start once Prometheus watches, so that it sees every restart happen.
  await waitFor('Prometheus to scrape connect-sentinel', async () =>
    (await stack.query('kafka_connect_task_state{connector="orders-jdbc-sink"}')).length > 0 ? true : undefined,
  );
  // Restarts are answered 409 until connect-sentinel has seen one fail, so that failed restarts show too.
  simulator.faults.rebalance = true;
  // orders-jdbc-sink task 1 fails again after every restart; task 2 too, but a rule gives it an hour's backoff.
  simulator.cluster.failTask('orders-jdbc-sink', 1, 'jdbc-sink-batch');
  simulator.cluster.setRestartScript('orders-jdbc-sink', 1, { permanent: true });
  simulator.cluster.failTask('orders-jdbc-sink', 2, 'connection-refused');
  simulator.cluster.setRestartScript('orders-jdbc-sink', 2, { permanent: true });
  // inventory-jdbc-source task 0 runs again after its first restart.
  simulator.cluster.failTask('inventory-jdbc-source', 0, 'connection-refused');
  simulator.cluster.setRestartScript('inventory-jdbc-source', 0, { recoverAfterRestart: true });
  await waitFor('a restart refused during the rebalance', async () => {
    const metrics = await (await fetch(`http://${sentinel.address}/metrics`)).text();
    return /^kafka_connect_autorestart_restart_failures_total\{/m.test(metrics) ? true : undefined;
  });
  simulator.faults.rebalance = false;
});

afterAll(async () => {
  await stack?.close();
  await sentinel?.close();
  await simulator?.close();
});

async function firing(alertname: string, labels: Record<string, string>): Promise<boolean> {
  const matchers = Object.entries({ alertname, alertstate: 'firing', ...labels })
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',');
  return (await stack.query(`ALERTS{${matchers}}`)).length > 0;
}

describe('connect-sentinel, Prometheus and Alertmanager against the simulator', () => {
  it('pages KafkaConnectAutoRestartExhausted once the failing task has used its restart budget', async () => {
    const alert = await stack.webhook.waitForAlert('pager', { alertname: 'KafkaConnectAutoRestartExhausted', connector: 'orders-jdbc-sink' }, 40_000);
    expect(alert.labels).toEqual({
      alertname: 'KafkaConnectAutoRestartExhausted',
      severity: 'critical',
      job: 'connect-sentinel',
      connect_cluster: 'prod',
      connector: 'orders-jdbc-sink',
      task: '1',
    });
    expect(alert.annotations.description).toMatch(
      /^Task 1 of connector orders-jdbc-sink on Kafka Connect cluster prod is FAILED and connect-sentinel will not restart it again: its restart budget is used up or a rule says never\. Why: budget_exhausted\. Root cause: [\w.$]+\.$/,
    );
    const skipped = await waitFor('the budget_exhausted decision', async () => {
      const result = await stack.query('kafka_connect_autorestart_skipped_total{connector="orders-jdbc-sink",reason="budget_exhausted"}');
      return result.length > 0 ? result : undefined;
    });
    expect(Number(skipped[0]?.value[1])).toBeGreaterThan(0);
  });

  it('never notifies about the task that one automatic restart healed', async () => {
    // The failing task's own warning has fired by now (and is muted by the page): the healed task had as long.
    await waitFor('KafkaConnectTaskFailed for the failing task', async () =>
      (await firing('KafkaConnectTaskFailed', { connector: 'orders-jdbc-sink', task: '1' })) ? true : undefined,
    30_000);
    const healed = await stack.query('max(kafka_connect_task_state{connector="inventory-jdbc-source",task="0",state="running"})');
    expect(healed[0]?.value[1]).toBe('1');
    const restarts = await stack.query('sum(kafka_connect_autorestart_restarts_total{connector="inventory-jdbc-source"})');
    expect(Number(restarts[0]?.value[1])).toBeGreaterThanOrEqual(1);
    expect(await stack.query('max_over_time(ALERTS{connector="inventory-jdbc-source",alertstate="firing"}[10m])')).toEqual([]);
    expect(stack.webhook.alerts().filter((alert) => alert.labels.connector === 'inventory-jdbc-source')).toEqual([]);
  });

  it('sends no ticket for the failing task while its page is on', async () => {
    const alerts = await stack.alertmanagerAlerts();
    const taskFailed = alerts.find(
      (alert) => alert.labels.alertname === 'KafkaConnectTaskFailed' && alert.labels.connector === 'orders-jdbc-sink' && alert.labels.task === '1',
    );
    expect(taskFailed?.status.state).toBe('suppressed');
    expect(stack.webhook.alerts().filter((alert) => alert.receiver === 'tickets' && alert.labels.connector === 'orders-jdbc-sink')).toEqual([]);
  });
});

describe('the dashboards over connect-sentinel watching the simulator', () => {
  it('have every recording rule they draw', async () => {
    for (const rule of recordingRules(defaultConfig)) {
      await waitFor(rule.record, async () => ((await stack.query(rule.record)).length > 0 ? true : undefined));
    }
  });

  // Grafana would use 4 × the 1s scrape interval for $__rate_interval.
  const timing = { rateInterval: '10s', range: '5m', interval: '2s' };
  const variables = {
    overview: { job: 'connect-sentinel', connect_cluster: '.+', connector: '.+' },
    connector: { job: 'connect-sentinel', connect_cluster: 'prod', connector: 'orders-jdbc-sink' },
  };

  it.each(['overview', 'connector'] as const)('%s: every query and variable returns data', async (kind) => {
    const dashboard = loadDashboard(DASHBOARD_FILES[kind]);
    const values = { ...timing, variables: variables[kind] };
    const queries = [
      ...dashboardQueries(dashboard).map((query) => ({ where: query.where, expr: substitute(query.expr, values) })),
      ...variableQueries(dashboard).map((variable) => ({
        where: `variable ${variable.name}`,
        expr: `count by (${variable.label}) (${substitute(variable.selector, values)})`,
      })),
    ];
    const empty = await waitFor(
      'data for every query',
      async () => {
        const missing: string[] = [];
        for (const query of queries) if ((await stack.query(query.expr)).length === 0) missing.push(`${query.where}: ${query.expr}`);
        return missing.length === 0 ? missing : undefined;
      },
      15_000,
      1000,
    ).catch(async () => {
      const missing: string[] = [];
      for (const query of queries) if ((await stack.query(query.expr)).length === 0) missing.push(`${query.where}: ${query.expr}`);
      return missing;
    });
    expect(empty).toEqual([]);
  }, 40_000);
});
