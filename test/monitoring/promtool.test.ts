// The rule files, checked and unit-tested by the real promtool, and proof that the unit tests cover every alert:
// just before and just after its `for`, without data, and after recovery.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERT_NAMES, defaultConfig, resolveConfig, type AlertName } from '../../alerts/src/config.ts';
import { OUTPUT_PATHS } from '../../tools/monitoring/generate.ts';
import { renderRuleFile } from '../../alerts/src/rule-files.ts';
import { parseDuration } from '../../src/config/duration.ts';
import { expectSuccess, run } from './tools.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RULES_PATH = join(REPO, OUTPUT_PATHS.rules);
const TESTS_DIR = fileURLToPath(new URL('./rules/', import.meta.url));
const TEST_FILES = readdirSync(TESTS_DIR)
  .filter((name) => name.endsWith('.test.yml'))
  .map((name) => join(TESTS_DIR, name));
const workDir = mkdtempSync(join(tmpdir(), 'monitoring-promtool-'));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

interface RuleJson {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
}

function ruleGroups(text: string): Array<{ name: string; rules: RuleJson[] }> {
  return (parse(text) as { groups: Array<{ name: string; rules: RuleJson[] }> }).groups;
}

const ALERTS = ruleGroups(readFileSync(RULES_PATH, 'utf8'))
  .flatMap((group) => group.rules)
  .filter((rule) => rule.alert !== undefined);

describe('promtool', () => {
  it('checks the rule file', async () => {
    const output = expectSuccess(await run('promtool', ['check', 'rules', RULES_PATH]));
    expect(output).toContain('SUCCESS: 24 rules found');
  });

  it('checks the groups of the PrometheusRule manifest, which are those of the rule file', async () => {
    const manifest = parse(readFileSync(join(REPO, OUTPUT_PATHS.prometheusRule), 'utf8')) as {
      apiVersion: string;
      kind: string;
      spec: { groups: unknown };
    };
    expect(manifest.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(manifest.kind).toBe('PrometheusRule');
    expect(manifest.spec.groups).toEqual(ruleGroups(readFileSync(RULES_PATH, 'utf8')));
    const extracted = join(workDir, 'from-prometheusrule.yml');
    writeFileSync(extracted, stringify({ groups: manifest.spec.groups }, { lineWidth: 0 }));
    expectSuccess(await run('promtool', ['check', 'rules', extracted]));
  });

  it('passes the unit tests of every alert and recording rule', async () => {
    expect(TEST_FILES.length).toBeGreaterThanOrEqual(4);
    const output = expectSuccess(await run('promtool', ['test', 'rules', ...TEST_FILES], { cwd: TESTS_DIR }));
    expect(output).not.toContain('FAILED');
  });

  it('honours overrides: selector, extra group labels, for, severity, disabled alerts and the Grafana URL', async () => {
    const config = resolveConfig({
      selector: 'job="connect-watch"',
      groupLabels: ['job', 'cluster'],
      alerts: {
        KafkaConnectTaskFailed: { for: '2m', severity: 'critical' },
        KafkaConnectConnectorPaused: { enabled: false },
      },
      runbookUrl: 'https://wiki.example.com/runbooks/connect',
      dashboards: { grafanaUrl: 'https://grafana.example.com/' },
    });
    const rules = join(workDir, 'custom.rules.yml');
    writeFileSync(rules, renderRuleFile(config));
    expect(expectSuccess(await run('promtool', ['check', 'rules', rules]))).toContain('SUCCESS: 23 rules found');
    const target = 'job="connect-watch",instance="w:9843",cluster="eu-1",connect_cluster="prod",connector="orders-sink",task="1"';
    const suite = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `kafka_connect_task_state_since_timestamp_seconds{${target},state="failed"}`, values: '0x10' },
            { series: `kafka_connect_task_failure_info{${target},exception="a.B",root_cause="c.D"}`, values: '1x10' },
            // The shipped selector's job is not selected any more.
            { series: 'kafka_connect_task_state_since_timestamp_seconds{job="connect-sentinel",connect_cluster="prod",connector="x",task="0",state="failed"}', values: '0x10' },
          ],
          alert_rule_test: [
            { eval_time: '1m', alertname: 'KafkaConnectTaskFailed', exp_alerts: [] },
            {
              eval_time: '2m',
              alertname: 'KafkaConnectTaskFailed',
              exp_alerts: [
                {
                  exp_labels: { severity: 'critical', job: 'connect-watch', cluster: 'eu-1', connect_cluster: 'prod', connector: 'orders-sink', task: '1' },
                  exp_annotations: {
                    summary: 'A Kafka Connect task has failed.',
                    description: 'Task 1 of connector orders-sink on Kafka Connect cluster prod has been FAILED for more than 2 minutes. Root cause: c.D.',
                    runbook_url: 'https://wiki.example.com/runbooks/connect#kafkaconnecttaskfailed',
                    dashboard_url:
                      'https://grafana.example.com/d/connect-sentinel-connector?var-job=connect-watch&var-connect_cluster=prod&var-connector=orders-sink',
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const tests = join(workDir, 'custom.test.yml');
    writeFileSync(tests, stringify(suite, { lineWidth: 0 }));
    expectSuccess(await run('promtool', ['test', 'rules', tests]));
  });
});

interface AlertExpectation {
  alertname: string;
  /** Milliseconds. */
  at: number;
  alerts: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
}

interface TestGroup {
  file: string;
  evaluationInterval: number;
  inputMetrics: Set<string>;
  expectations: AlertExpectation[];
}

function loadTestGroups(): TestGroup[] {
  return TEST_FILES.flatMap((file) => {
    const suite = parse(readFileSync(file, 'utf8')) as {
      evaluation_interval?: string;
      tests: Array<{
        input_series?: Array<{ series: string }>;
        alert_rule_test?: Array<{ eval_time: string; alertname: string; exp_alerts?: AlertExpectation['alerts'] }>;
      }>;
    };
    return suite.tests.map((group) => ({
      file,
      evaluationInterval: parseDuration(suite.evaluation_interval ?? '1m'),
      inputMetrics: new Set((group.input_series ?? []).map((input) => input.series.replace(/\{.*$/s, ''))),
      expectations: (group.alert_rule_test ?? []).map((test) => ({
        alertname: test.alertname,
        at: parseDuration(test.eval_time),
        alerts: test.exp_alerts ?? [],
      })),
    }));
  });
}

/** The metrics an expression reads (names followed by a selector or a bracket). */
function metricsOf(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((match) => match[1] as string);
}

describe('the promtool unit tests', () => {
  const groups = loadTestGroups();
  const expectationsOf = (alert: string) =>
    groups.map((group) => ({ group, tests: group.expectations.filter((e) => e.alertname === alert) }));

  it('cover exactly the shipped alerts', () => {
    expect(ALERTS.map((rule) => rule.alert)).toEqual([...ALERT_NAMES]);
    const tested = new Set(groups.flatMap((group) => group.expectations.map((e) => e.alertname)));
    expect([...tested].sort()).toEqual([...ALERT_NAMES].sort());
  });

  it.each(ALERTS.map((rule) => [rule.alert as string, rule] as const))('test %s just before and just after its for', (name, rule) => {
    // The alerts on a state clock have no `for:`: they wait the configured `for` in their expression.
    const forMs = parseDuration(rule.for ?? defaultConfig.alerts[name as AlertName].for);
    const boundary = expectationsOf(rule.alert as string).some(({ group, tests }) =>
      tests.some(
        (firing) =>
          firing.alerts.length > 0 &&
          firing.at >= forMs &&
          tests.some((silent) => silent.at === firing.at - group.evaluationInterval && silent.alerts.length < firing.alerts.length),
      ),
    );
    expect(boundary, 'a test where the alert is silent one evaluation before it fires').toBe(true);
  });

  it.each(ALERTS.map((rule) => [rule.alert as string, rule] as const))('test %s with exact labels and annotations', (name) => {
    const firing = expectationsOf(name).flatMap(({ tests }) => tests.flatMap((test) => test.alerts));
    expect(firing.length).toBeGreaterThan(0);
    for (const alert of firing) {
      expect(Object.keys(alert.exp_annotations ?? {}).sort()).toEqual(['dashboard_url', 'description', 'runbook_url', 'summary']);
      expect(alert.exp_labels?.severity).toMatch(/^(critical|warning|info)$/);
    }
  });

  it.each(ALERTS.map((rule) => [rule.alert as string, rule] as const))('test %s without data and after recovery', (name, rule) => {
    const metrics = metricsOf(rule.expr);
    const withoutData = expectationsOf(name).filter(({ group }) => metrics.every((metric) => !group.inputMetrics.has(metric)));
    if (name === 'KafkaConnectExporterDown') {
      // Its whole point: no data at all fires it.
      expect(withoutData.some(({ tests }) => tests.some((test) => test.alerts.length > 0))).toBe(true);
    } else {
      expect(withoutData.some(({ tests }) => tests.some((test) => test.alerts.length === 0))).toBe(true);
    }
    const recovers = expectationsOf(name).some(({ tests }) =>
      tests.some((earlier) =>
        tests.some((later) => later.at > earlier.at && later.alerts.length < earlier.alerts.length),
      ),
    );
    expect(recovers, 'a test where a firing alert resolves later').toBe(true);
  });
});
