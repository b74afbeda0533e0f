// End to end on loopback: real Prometheus scrapes a failing fleet and evaluates the shipped rules (with 2s `for`
// durations), real Alertmanager routes and inhibits with the shipped configuration, and a webhook server in the test
// plays pager and ticket queue. Every dashboard query and rule expression must return data from the live Prometheus.
// The target is a fixture exporter serving the failing fleet; harness.ts says how to point it at connect-sentinel.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_NAMES, defaultConfig } from '../../alerts/src/config.ts';
import { recordingRules } from '../../alerts/src/recording.ts';
import { alertingRule } from '../../alerts/src/alerts.ts';
import { DASHBOARD_FILES, dashboardQueries, FIXTURE_VARIABLES, loadDashboard, substitute, variableQueries } from './dashboard-queries.ts';
import { startFixtureExporter, type FixtureExporter } from './fixtures/exporter.ts';
import { ALERTS_ABOUT_WHAT_IS_GONE, FAILING_FLEET } from './fixtures/fleet.ts';
import { startMonitoringStack, waitFor, type MonitoringStack } from './harness.ts';

// Grafana would use 4 × the 1s scrape interval for $__rate_interval.
const TIMING = { rateInterval: '10s', range: '1m', interval: '2s' };

let exporter: FixtureExporter;
let stack: MonitoringStack;

beforeAll(async () => {
  exporter = await startFixtureExporter(FAILING_FLEET);
  stack = await startMonitoringStack({ target: exporter.address });
});

afterAll(async () => {
  await stack?.close();
  await exporter?.close();
});

/** Waits until the query returns data; on time-out the error carries the Prometheus and Alertmanager logs. */
async function expectData(where: string, expr: string): Promise<void> {
  try {
    await waitFor(`data from ${where}: ${expr}`, async () => ((await stack.query(expr)).length > 0 ? true : undefined), 25_000, 500);
  } catch (err) {
    throw new Error(`${String(err)}\n${stack.logs()}`);
  }
}

describe('a live Prometheus scraping a failing fleet', () => {
  it('scrapes the target as job connect-sentinel', async () => {
    await expectData('the scrape', 'up{job="connect-sentinel"} == 1');
    expect(exporter.scrapes()).toBeGreaterThan(0);
  });

  it('evaluates every recording rule', async () => {
    await Promise.all(recordingRules(defaultConfig).map((rule) => expectData(rule.record, rule.record)));
  });

  it('returns data for every alert expression but those about exporters or clusters gone', async () => {
    const alerts = ALERT_NAMES.filter((name) => !ALERTS_ABOUT_WHAT_IS_GONE.includes(name)).map((name) => alertingRule(defaultConfig, name));
    await Promise.all(alerts.map((rule) => expectData(rule.alert, rule.expr)));
  });

  it.each(['overview', 'connector'] as const)('returns data for every query and variable of the %s dashboard', async (kind) => {
    const dashboard = loadDashboard(DASHBOARD_FILES[kind]);
    const values = { ...TIMING, variables: FIXTURE_VARIABLES[kind] };
    const queries = dashboardQueries(dashboard).map((query) => ({ where: query.where, expr: substitute(query.expr, values) }));
    const variables = variableQueries(dashboard).map((variable) => ({
      where: `variable ${variable.name}`,
      expr: `count by (${variable.label}) (${substitute(variable.selector, values)})`,
    }));
    await Promise.all([...queries, ...variables].map((query) => expectData(query.where, query.expr)));
  });
});

describe('the overview over live alerts', () => {
  it('lists the firing alerts of the selected cluster and those about connect-sentinel itself, none of another cluster', async () => {
    const panel = dashboardQueries(loadDashboard(DASHBOARD_FILES.overview)).find((query) => query.where.includes('/ Firing alerts /'));
    expect(panel).toBeDefined();
    const expr = substitute(panel!.expr, { ...TIMING, variables: { ...FIXTURE_VARIABLES.overview, connect_cluster: 'prod' } });
    const rows = await waitFor('prod and exporter alerts to fire', async () => {
      const current = await stack.query(expr);
      const names = new Set(current.map((row) => row.metric['alertname']));
      return names.has('KafkaConnectAutoRestartExhausted') && names.has('KafkaConnectExporterHistoryNotWritable') ? current : undefined;
    }, 25_000, 500);
    expect(new Set(rows.map((row) => row.metric['connect_cluster'] ?? ''))).toEqual(new Set(['prod', '']));
  });
});

describe('a live Alertmanager with the shipped routing', () => {
  it('pages KafkaConnectAutoRestartExhausted for the task auto-restart gave up on, naming connector and task', async () => {
    const alert = await stack.webhook.waitForAlert('pager', {
      alertname: 'KafkaConnectAutoRestartExhausted',
      connect_cluster: 'prod',
      connector: 'orders-sink',
      task: '1',
    });
    expect(alert.labels).toEqual({
      alertname: 'KafkaConnectAutoRestartExhausted',
      severity: 'critical',
      job: 'connect-sentinel',
      connect_cluster: 'prod',
      connector: 'orders-sink',
      task: '1',
    });
    expect(alert.annotations.description).toBe(
      'Task 1 of connector orders-sink on Kafka Connect cluster prod is FAILED and connect-sentinel will not restart it again: ' +
        'its restart budget is used up or a rule says never. Why: budget_exhausted. Root cause: java.sql.SQLException.',
    );
    expect(alert.annotations.runbook_url).toBe(`${defaultConfig.runbookUrl}#kafkaconnectautorestartexhausted`);
    expect(alert.annotations.dashboard_url).toBe('/d/connect-sentinel-connector?var-job=connect-sentinel&var-connect_cluster=prod&var-connector=orders-sink');
  });

  it('pages each target on its own: one notification per connector and task, not one per cluster', async () => {
    await stack.webhook.waitForAlert('pager', { alertname: 'KafkaConnectAutoRestartExhausted', connector: 'orders-sink', task: '1' });
    await stack.webhook.waitForAlert('pager', { alertname: 'KafkaConnectAutoRestartExhausted', connector: 'payments-source' });
    const pages = stack.webhook.received.filter(
      (notification) => notification.receiver === 'pager' && notification.body.groupLabels['alertname'] === 'KafkaConnectAutoRestartExhausted',
    );
    // Both targets are in cluster prod: grouped by cluster, they came as one notification of two alerts.
    expect(new Set(pages.map((page) => page.body.groupLabels['connector'])).size).toBe(2);
    for (const page of pages) {
      expect(page.body.alerts).toHaveLength(1);
      expect(page.body.groupLabels['connector']).toBe(page.body.alerts[0]!.labels['connector']);
    }
  });

  it('sends warnings to the ticket queue, never to the pager', async () => {
    await stack.webhook.waitForAlert('tickets', { alertname: 'KafkaConnectTaskFailed', connector: 'orders-sink', task: '2' });
    const paged = stack.webhook.alerts().filter((alert) => alert.receiver === 'pager');
    expect(paged.length).toBeGreaterThan(0);
    for (const alert of paged) expect(alert.labels.severity).toBe('critical');
  });

  it('mutes the warnings of a task auto-restart gave up on, and the alerts of an unreachable cluster', async () => {
    const state = (alerts: Awaited<ReturnType<MonitoringStack['alertmanagerAlerts']>>, labels: Record<string, string>) =>
      alerts.find((alert) => Object.entries(labels).every(([name, value]) => alert.labels[name] === value))?.status.state;
    const alerts = await waitFor('Alertmanager to hold the alerts', async () => {
      const current = await stack.alertmanagerAlerts();
      const wanted = [
        { alertname: 'KafkaConnectTaskFailed', connector: 'orders-sink', task: '1' },
        { alertname: 'KafkaConnectTaskFailed', connector: 'orders-sink', task: '2' },
        { alertname: 'KafkaConnectAutoRestartCircuitOpen', connect_cluster: 'staging' },
        { alertname: 'KafkaConnectClusterUnreachable', connect_cluster: 'staging' },
        { alertname: 'KafkaConnectAutoRestartExhausted', connector: 'orders-sink', task: '1' },
      ];
      return wanted.every((labels) => state(current, labels) !== undefined) ? current : undefined;
    });
    // Task 1 is paged as exhausted: its TaskFailed warning is muted. Task 2 still has auto-restart on its side.
    expect(state(alerts, { alertname: 'KafkaConnectTaskFailed', connector: 'orders-sink', task: '1' })).toBe('suppressed');
    expect(state(alerts, { alertname: 'KafkaConnectTaskFailed', connector: 'orders-sink', task: '2' })).toBe('active');
    // staging cannot be read: what is derived from its old data is muted, the outage itself is not.
    expect(state(alerts, { alertname: 'KafkaConnectAutoRestartCircuitOpen', connect_cluster: 'staging' })).toBe('suppressed');
    expect(state(alerts, { alertname: 'KafkaConnectStaleData', connect_cluster: 'staging' })).toBe('suppressed');
    expect(state(alerts, { alertname: 'KafkaConnectClusterUnreachable', connect_cluster: 'staging' })).toBe('active');
  });
});
