// The Alertmanager example, checked by the real amtool: it loads, and every shipped alert is routed by its severity
// (critical pages, warning tickets, info goes nowhere).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { RECEIVER_NAMES } from '../../alerts/src/alertmanager.ts';
import { OUTPUT_PATHS } from '../../tools/monitoring/generate.ts';
import { expectSuccess, run } from './tools.ts';

const EXAMPLE = fileURLToPath(new URL(`../../${OUTPUT_PATHS.alertmanager}`, import.meta.url));
const RULES = fileURLToPath(new URL(`../../${OUTPUT_PATHS.rules}`, import.meta.url));

const RECEIVER_BY_SEVERITY: Record<string, string> = {
  critical: RECEIVER_NAMES.pager,
  warning: RECEIVER_NAMES.tickets,
  info: RECEIVER_NAMES.blackhole,
};

const alerts = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; labels?: { severity: string } }> }> }).groups
  .flatMap((group) => group.rules)
  .filter((rule) => rule.alert !== undefined)
  .map((rule) => ({ name: rule.alert as string, severity: rule.labels?.severity as string }));

function routeTest(receiver: string, labels: Record<string, string>) {
  return run('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${EXAMPLE}`,
    `--verify.receivers=${receiver}`,
    ...Object.entries(labels).map(([name, value]) => `${name}=${value}`),
  ]);
}

describe('alerts/alertmanager.example.yml', () => {
  it('passes amtool check-config', async () => {
    const output = expectSuccess(await run('amtool', ['check-config', EXAMPLE]));
    expect(output).toContain('SUCCESS');
    expect(output).toContain('4 inhibit rules');
  });

  it.each(alerts)('routes $name ($severity) to the receiver of its severity', async ({ name, severity }) => {
    const receiver = RECEIVER_BY_SEVERITY[severity] as string;
    const labels = { alertname: name, severity, job: 'connect-sentinel', connect_cluster: 'prod', connector: 'orders-sink', task: '1' };
    const result = await routeTest(receiver, labels);
    expectSuccess(result);
    expect(result.stdout.trim()).toBe(receiver);
  });

  it('does not page for a warning (amtool fails the verification)', async () => {
    const result = await routeTest(RECEIVER_NAMES.pager, { alertname: 'KafkaConnectTaskFailed', severity: 'warning' });
    expect(result.code).not.toBe(0);
  });

  it('mutes connector and task alerts while the exporter or their cluster is down', () => {
    const config = parse(readFileSync(EXAMPLE, 'utf8')) as {
      inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
    };
    const bySource = new Map(config.inhibit_rules.map((rule) => [rule.source_matchers.join(), rule]));
    expect(bySource.get('alertname="KafkaConnectExporterDown"')?.equal).toEqual(['job']);
    expect(bySource.get('alertname="KafkaConnectClusterUnreachable"')?.equal).toEqual(['job', 'connect_cluster']);
    expect(bySource.get('alertname="KafkaConnectAutoRestartExhausted"')?.equal).toEqual(['job', 'connect_cluster', 'connector', 'task']);
  });
});
