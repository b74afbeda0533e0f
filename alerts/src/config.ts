// The one place to tune connect-sentinel's alerts, recording rules and dashboards (the mixin `_config` idea):
// selectors, thresholds, `for` durations, severities, runbook location and dashboard identity. Everything under
// alerts/ and dashboards/ is generated from a MonitoringConfig; override it with a YAML file instead of forking.

import { z } from 'zod';
import { formatDuration, parseDuration } from '../../src/config/duration.ts';
import { formatKeyPath } from '../../src/config/issues.ts';
import { SentinelError } from '../../src/errors.ts';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Every alert connect-sentinel ships, in the order the rule files list them. */
export const ALERT_NAMES = [
  'KafkaConnectExporterDown',
  'KafkaConnectExporterInstanceDown',
  'KafkaConnectExporterConfigReloadFailed',
  'KafkaConnectExporterHistoryNotWritable',
  'KafkaConnectExporterNoLeader',
  'KafkaConnectClusterUnreachable',
  'KafkaConnectClusterGone',
  'KafkaConnectStaleData',
  'KafkaConnectPollErrorBudgetBurn',
  'KafkaConnectRestErrors',
  'KafkaConnectConnectorFailed',
  'KafkaConnectTaskFailed',
  'KafkaConnectConnectorUnassigned',
  'KafkaConnectTaskUnassigned',
  'KafkaConnectStuckRestarting',
  'KafkaConnectConnectorWithoutTasks',
  'KafkaConnectConnectorPaused',
  'KafkaConnectRestartLoop',
  'KafkaConnectAutoRestartExhausted',
  'KafkaConnectAutoRestartCircuitOpen',
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

/** A Prometheus duration, normalised to its shortest spelling (`90s` → `1m30s`). */
const promDuration = z.string().transform((text, ctx) => {
  try {
    return formatDuration(parseDuration(text));
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: (err as Error).message, input: text });
    return z.NEVER;
  }
});

const alertSettings = (forDuration: string, severity: Severity, keepFiringFor?: string) =>
  z
    .strictObject({
      /**
       * How long the condition must hold before the alert fires. For the alerts on a state (Failed, Unassigned,
       * StuckRestarting, ConnectorPaused): how long the connector or task has been in it, by the state clock
       * connect-sentinel keeps across its restarts, and not by Prometheus's `for:`, which restarts at every gap.
       */
      for: promDuration.default(forDuration),
      /**
       * How long the alert keeps firing once its condition stops being true (Prometheus 2.42+), so that a page built on
       * connect-sentinel's series does not resolve because the series went away with the exporter: longer than
       * KafkaConnectExporterDown's `for`, which pages for that instead.
       */
      keepFiringFor: keepFiringFor === undefined ? promDuration.optional() : promDuration.default(keepFiringFor),
      severity: z.enum(SEVERITIES).default(severity),
      /** false leaves the alert out of the generated files. */
      enabled: z.boolean().default(true),
    })
    .prefault({});

// Defaults, and why (docs/monitoring.md has the full reasoning):
// - auto-restart retries after 0, 1, 3, 7 and 15 minutes by default, so Failed waits 15m before a ticket, and the
//   page comes from AutoRestartExhausted, which is already true only when automation has given up;
// - paused and stopped work is intentional: info only, after a day.
const alertsSchema = z
  .strictObject({
    KafkaConnectExporterDown: alertSettings('10m', 'critical'),
    KafkaConnectExporterInstanceDown: alertSettings('10m', 'warning'),
    KafkaConnectExporterConfigReloadFailed: alertSettings('10m', 'warning'),
    KafkaConnectExporterHistoryNotWritable: alertSettings('10m', 'warning'),
    KafkaConnectExporterNoLeader: alertSettings('5m', 'critical'),
    KafkaConnectClusterUnreachable: alertSettings('10m', 'critical'),
    KafkaConnectClusterGone: alertSettings('15m', 'warning'),
    KafkaConnectStaleData: alertSettings('5m', 'warning'),
    KafkaConnectPollErrorBudgetBurn: alertSettings('2m', 'warning'),
    KafkaConnectRestErrors: alertSettings('15m', 'warning'),
    KafkaConnectConnectorFailed: alertSettings('15m', 'warning'),
    KafkaConnectTaskFailed: alertSettings('15m', 'warning'),
    KafkaConnectConnectorUnassigned: alertSettings('15m', 'warning'),
    KafkaConnectTaskUnassigned: alertSettings('15m', 'warning'),
    KafkaConnectStuckRestarting: alertSettings('10m', 'warning'),
    KafkaConnectConnectorWithoutTasks: alertSettings('1h', 'warning'),
    KafkaConnectConnectorPaused: alertSettings('1d', 'info'),
    KafkaConnectRestartLoop: alertSettings('5m', 'warning'),
    KafkaConnectAutoRestartExhausted: alertSettings('2m', 'critical', '15m'),
    KafkaConnectAutoRestartCircuitOpen: alertSettings('15m', 'critical'),
  })
  .prefault({});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name');

export const monitoringConfigSchema = z
  .strictObject({
    /**
     * PromQL label matchers that pick connect-sentinel's series in every rule, e.g. `job="connect-sentinel"`.
     * Keep an equality matcher on `job`: KafkaConnectExporterDown takes its `job` label from it when no target exists.
     */
    selector: z.string().default('job="connect-sentinel"'),
    /**
     * Labels that identify one connect-sentinel deployment; every aggregation keeps them. Add target labels that
     * tell deployments apart, such as `cluster` or `env`. `job` must be one of them.
     */
    groupLabels: z
      .array(labelName)
      .min(1)
      .default(['job'])
      .refine((labels) => labels.includes('job'), 'must include job'),
    /** Where docs/runbooks.md is published; each alert links to `<runbookUrl>#<alert name in lower case>`. */
    runbookUrl: z.url().default('https://github.com/connect-sentinel/connect-sentinel/blob/main/docs/runbooks.md'),
    thresholds: z
      .strictObject({
        /**
         * KafkaConnectStaleData: the last successful poll is older than `staleDataPolls` poll intervals (the
         * cluster's own, from kafka_connect_exporter_poll_interval_seconds), and than `staleDataSeconds` at least.
         */
        staleDataPolls: z.number().positive().default(3),
        staleDataSeconds: z.number().positive().default(300),
        /**
         * KafkaConnectPollErrorBudgetBurn: the share of polls that should succeed. The alert fires when failures use
         * up its error budget 14.4 times too fast over 1h and 5m, or 6 times too fast over 6h and 30m.
         */
        pollSuccessObjective: z.number().gt(0).lt(1).default(0.99),
        /** KafkaConnectRestErrors: share of failed REST requests (non-2xx, timeouts, errors) over `restErrorWindow`. */
        restErrorRatio: z.number().gt(0).lt(1).default(0.05),
        restErrorWindow: promDuration.default('5m'),
        /**
         * The alerts on how long a connector or task has been in a state (Failed, Unassigned, StuckRestarting,
         * ConnectorPaused) stay firing through a gap in connect-sentinel's data this long: its restart, or an outage
         * that KafkaConnectExporterDown pages for within its own `for`. They never start firing on missing data.
         */
        gapTolerance: promDuration.default('15m'),
        /** KafkaConnectRestartLoop: automatic restarts of one target within `restartLoopWindow`. */
        restartLoopRestarts: z.int().min(1).default(3),
        restartLoopWindow: promDuration.default('1h'),
      })
      .prefault({}),
    alerts: alertsSchema,
    prometheusRule: z
      .strictObject({
        name: z.string().min(1).default('connect-sentinel'),
        /** Labels the prometheus-operator `ruleSelector` matches on. */
        labels: z.record(z.string(), z.string()).default({ 'app.kubernetes.io/name': 'connect-sentinel' }),
      })
      .prefault({}),
    dashboards: z
      .strictObject({
        titlePrefix: z.string().default('Kafka Connect / '),
        tags: z.array(z.string()).default(['connect-sentinel', 'kafka-connect']),
        /** Stable UIDs keep links and bookmarks working across regenerations (at most 40 characters). */
        overviewUid: z.string().min(1).max(40).default('connect-sentinel-overview'),
        connectorUid: z.string().min(1).max(40).default('connect-sentinel-connector'),
        refresh: z.string().default('30s'),
        timezone: z.string().default('utc'),
        /** The job the `job` variable selects when a dashboard opens. */
        defaultJob: z.string().default('connect-sentinel'),
        /**
         * Grafana's base URL, e.g. `https://grafana.example.com`, for the alerts' `dashboard_url` annotation; empty
         * leaves the links relative (`/d/…`), for a notification template to complete.
         */
        grafanaUrl: z.union([z.url(), z.literal('')]).default('').transform((url) => url.replace(/\/+$/, '')),
      })
      .prefault({}),
  })
  .prefault({});

export type MonitoringConfig = z.output<typeof monitoringConfigSchema>;

/** The shipped configuration. */
export const defaultConfig: MonitoringConfig = monitoringConfigSchema.parse(undefined);

/** Applies overrides (a parsed YAML or JSON object) over the defaults. Throws CS_ERR_CONFIG_INVALID naming each bad key. */
export function resolveConfig(overrides: unknown): MonitoringConfig {
  const result = monitoringConfigSchema.safeParse(overrides ?? undefined);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatKeyPath(issue.path) || '(top level)'}: ${issue.message}`);
  throw new SentinelError('CS_ERR_CONFIG_INVALID', `monitoring config is invalid: ${problems.join('; ')}`);
}
