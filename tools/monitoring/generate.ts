// Everything generated from a MonitoringConfig, as file contents keyed by their path in the repository.

import { connectorDashboard } from '../../dashboards/src/connector.ts';
import { overviewDashboard } from '../../dashboards/src/overview.ts';
import { renderAlertmanagerExample } from '../../alerts/src/alertmanager.ts';
import type { MonitoringConfig } from '../../alerts/src/config.ts';
import { renderPrometheusRule, renderRuleFile } from '../../alerts/src/rule-files.ts';

export interface GeneratedFile {
  /** Path relative to the repository root, with `/` separators. */
  path: string;
  content: string;
}

export const OUTPUT_PATHS = {
  rules: 'alerts/connect-sentinel.rules.yml',
  prometheusRule: 'alerts/prometheusrule.yaml',
  alertmanager: 'alerts/alertmanager.example.yml',
  overview: 'dashboards/connect-sentinel-overview.json',
  connector: 'dashboards/connect-sentinel-connector.json',
} as const;

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function generateAll(config: MonitoringConfig): GeneratedFile[] {
  return [
    { path: OUTPUT_PATHS.rules, content: renderRuleFile(config) },
    { path: OUTPUT_PATHS.prometheusRule, content: renderPrometheusRule(config) },
    { path: OUTPUT_PATHS.alertmanager, content: renderAlertmanagerExample(config) },
    { path: OUTPUT_PATHS.overview, content: json(overviewDashboard(config)) },
    { path: OUTPUT_PATHS.connector, content: json(connectorDashboard(config)) },
  ];
}
