// Every dashboard query, variable and rule expression, run by the real Prometheus engine (promtool) over the failing
// fixture fleet: each returns data, and the joins behind the "not running" tables return exactly the right rows.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { OUTPUT_PATHS } from '../../tools/monitoring/generate.ts';
import { ALERT_NAMES } from '../../alerts/src/config.ts';
import {
  contentPanels,
  DASHBOARD_FILES,
  dashboardQueries,
  FIXTURE_VARIABLES,
  loadDashboard,
  substitute,
  variableQueries,
  type DashboardKind,
} from './dashboard-queries.ts';
import { ALERTS_ABOUT_WHAT_IS_GONE, FAILING_FLEET, inputSeries } from './fixtures/fleet.ts';
import { expectSuccess, run } from './tools.ts';

const RULES_PATH = fileURLToPath(new URL(`../../${OUTPUT_PATHS.rules}`, import.meta.url));
const TIMING = { rateInterval: '5m', range: '1h', interval: '1m' };
const EVAL_TIME = '60m';
const workDir = mkdtempSync(join(tmpdir(), 'monitoring-queries-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface ExprTest {
  expr: string;
  eval_time: string;
  exp_samples: Array<{ labels: string; value: number }>;
}

/** Passes when `expr` returns at least one sample. */
function returnsData(expr: string): ExprTest {
  return { expr: `count(${expr}) > bool 0`, eval_time: EVAL_TIME, exp_samples: [{ labels: '{}', value: 1 }] };
}

function exactly(expr: string, rows: Array<Record<string, string>>): ExprTest {
  const labels = (row: Record<string, string>) =>
    `{${Object.entries(row)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(',')}}`;
  return { expr, eval_time: EVAL_TIME, exp_samples: rows.map((row) => ({ labels: labels(row), value: 1 })) };
}

async function promtoolExprTests(name: string, tests: ExprTest[]): Promise<void> {
  const file = join(workDir, `${name}.test.yml`);
  const suite = {
    rule_files: [RULES_PATH],
    evaluation_interval: '1m',
    tests: [{ interval: '1m', input_series: inputSeries(FAILING_FLEET, 90), promql_expr_test: tests }],
  };
  writeFileSync(file, stringify(suite, { lineWidth: 0 }));
  expectSuccess(await run('promtool', ['test', 'rules', file]));
}

function queriesOf(kind: DashboardKind): Array<{ where: string; expr: string }> {
  const dashboard = loadDashboard(DASHBOARD_FILES[kind]);
  const values = { ...TIMING, variables: FIXTURE_VARIABLES[kind] };
  return dashboardQueries(dashboard).map((query) => ({ where: query.where, expr: substitute(query.expr, values) }));
}

function panelExpr(kind: DashboardKind, title: string): string {
  const panel = contentPanels(loadDashboard(DASHBOARD_FILES[kind])).find((p) => p.title === title);
  const expr = panel?.targets?.[0]?.expr;
  if (expr === undefined) throw new Error(`no panel "${title}" with a query in the ${kind} dashboard`);
  return substitute(expr, { ...TIMING, variables: FIXTURE_VARIABLES[kind] });
}

const JOB = { job: 'connect-sentinel', connect_cluster: 'prod' };
const CONNECT_EXCEPTION = 'org.apache.kafka.connect.errors.ConnectException';
const CONFIG_EXCEPTION = 'org.apache.kafka.common.config.ConfigException';

describe.each(['overview', 'connector'] as const)('the %s dashboard over a failing fleet', (kind) => {
  it('has no query that returns nothing', async () => {
    const queries = queriesOf(kind);
    expect(queries.length).toBeGreaterThan(10);
    await promtoolExprTests(`${kind}-panels`, queries.map((query) => returnsData(query.expr)));
  });

  it('has no variable without values', async () => {
    const variables = variableQueries(loadDashboard(DASHBOARD_FILES[kind]));
    const values = { ...TIMING, variables: FIXTURE_VARIABLES[kind] };
    await promtoolExprTests(
      `${kind}-variables`,
      variables.map((variable) => returnsData(`count by (${variable.label}) (${substitute(variable.selector, values)})`)),
    );
  });
});

describe('the overview at fleet scale', () => {
  it('draws no time series per connector or per task', async () => {
    const dashboard = loadDashboard(DASHBOARD_FILES.overview);
    const values = { ...TIMING, variables: FIXTURE_VARIABLES.overview };
    const rangeQueries = contentPanels(dashboard).flatMap((panel) =>
      (panel.targets ?? []).filter((target) => target.instant !== true).map((target) => substitute(target.expr, values)),
    );
    expect(rangeQueries.length).toBeGreaterThan(10);
    // group by (connector, task) collapses to one series without labels exactly when no result has either label.
    await promtoolExprTests(
      'overview-fleet-scale',
      rangeQueries.map((expr) => ({ expr: `group by (connector, task) (${expr})`, eval_time: EVAL_TIME, exp_samples: [{ labels: '{}', value: 1 }] })),
    );
  });
});

describe('the tables of connectors and tasks', () => {
  it('list the FAILED connectors first, then the others not RUNNING, with type, class, worker, exception and root cause', async () => {
    await promtoolExprTests('connectors-not-running', [
      exactly(panelExpr('overview', 'Connectors FAILED'), [
        {
          ...JOB,
          connector: 'payments-source',
          state: 'failed',
          type: 'source',
          connector_class: 'io.debezium.connector.postgresql.PostgresConnector',
          worker_id: 'connect-2:8083',
          exception: CONFIG_EXCEPTION,
          root_cause: CONFIG_EXCEPTION,
        },
      ]),
      exactly(panelExpr('overview', 'Connectors neither RUNNING nor FAILED (paused, stopped, unassigned, restarting)'), [
        { ...JOB, connector: 'audit-sink', state: 'paused', type: 'sink', connector_class: 'io.confluent.connect.s3.S3SinkConnector', worker_id: 'connect-2:8083' },
        { ...JOB, connector: 'archive-source', state: 'stopped', type: 'source', connector_class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', worker_id: 'connect-1:8083' },
        { ...JOB, connector: 'clicks-source', state: 'unassigned', type: 'source', connector_class: 'org.apache.kafka.connect.mirror.MirrorSourceConnector', worker_id: 'connect-2:8083' },
      ]),
    ]);
  });

  it('list the FAILED tasks first, then the others not RUNNING, with worker, exception and root cause', async () => {
    await promtoolExprTests('tasks-not-running', [
      exactly(panelExpr('overview', 'Tasks FAILED'), [
        { ...JOB, connector: 'orders-sink', task: '1', state: 'failed', worker_id: 'connect-2:8083', exception: CONNECT_EXCEPTION, root_cause: 'java.sql.SQLException' },
        { ...JOB, connector: 'orders-sink', task: '2', state: 'failed', worker_id: 'connect-1:8083', exception: CONNECT_EXCEPTION, root_cause: 'java.net.SocketTimeoutException' },
      ]),
      exactly(panelExpr('overview', 'Tasks neither RUNNING nor FAILED (paused, stopped, unassigned, restarting)'), [
        { ...JOB, connector: 'audit-sink', task: '0', state: 'paused', worker_id: 'connect-2:8083' },
        // An unassigned task has an empty worker_id, which Prometheus treats as no label at all.
        { ...JOB, connector: 'clicks-source', task: '0', state: 'unassigned' },
        { ...JOB, connector: 'clicks-source', task: '1', state: 'restarting', worker_id: 'connect-1:8083' },
      ]),
    ]);
  });

  it('show all tasks of one connector on its dashboard, and its state as a code', async () => {
    await promtoolExprTests('connector-tasks', [
      exactly(panelExpr('connector', 'Tasks'), [
        { ...JOB, connector: 'orders-sink', task: '0', state: 'running', worker_id: 'connect-1:8083' },
        { ...JOB, connector: 'orders-sink', task: '1', state: 'failed', worker_id: 'connect-2:8083', exception: CONNECT_EXCEPTION, root_cause: 'java.sql.SQLException' },
        { ...JOB, connector: 'orders-sink', task: '2', state: 'failed', worker_id: 'connect-1:8083', exception: CONNECT_EXCEPTION, root_cause: 'java.net.SocketTimeoutException' },
      ]),
      {
        expr: panelExpr('connector', 'Task states'),
        eval_time: EVAL_TIME,
        exp_samples: [
          { labels: '{task="0"}', value: 1 },
          { labels: '{task="1"}', value: 3 },
          { labels: '{task="2"}', value: 3 },
        ],
      },
      { expr: panelExpr('connector', 'State'), eval_time: EVAL_TIME, exp_samples: [{ labels: '{connector="orders-sink"}', value: 1 }] },
    ]);
  });
});

describe('the rule files over a failing fleet', () => {
  const groups = (parse(readFileSync(RULES_PATH, 'utf8')) as { groups: Array<{ rules: Array<Record<string, string>> }> }).groups;
  const rules = groups.flatMap((group) => group.rules);

  it('have recording rules that all return data', async () => {
    const recorded = rules.filter((rule) => rule.record !== undefined);
    expect(recorded.length).toBeGreaterThan(0);
    await promtoolExprTests('recording', recorded.map((rule) => returnsData(rule.expr as string)));
  });

  it('have alert expressions that all return data, except those about exporters or clusters gone', async () => {
    const alerts = rules.filter((rule) => rule.alert !== undefined && !ALERTS_ABOUT_WHAT_IS_GONE.includes(rule.alert));
    expect(alerts.length).toBe(ALERT_NAMES.length - ALERTS_ABOUT_WHAT_IS_GONE.length);
    await promtoolExprTests('alerts', alerts.map((rule) => returnsData(rule.expr as string)));
  });
});
