// The Alertmanager example: critical alerts page, warnings go to a ticket queue, info goes nowhere; alerts about
// connectors and tasks are muted while the exporter or their cluster is down, or while a page covers them.

import type { MonitoringConfig } from './config.ts';
import { GENERATED_HEADER, toYaml } from './rule-files.ts';

/** A receiver's integrations (`webhook_configs`, `pagerduty_configs`, …), everything but its name. */
export type ReceiverIntegrations = Record<string, unknown>;

export interface AlertmanagerOptions {
  pager: ReceiverIntegrations;
  tickets: ReceiverIntegrations;
  groupWait: string;
  groupInterval: string;
  repeatInterval: string;
  pagerRepeatInterval: string;
}

export const RECEIVER_NAMES = {
  pager: 'kafka-connect-pager',
  tickets: 'kafka-connect-tickets',
  blackhole: 'blackhole',
} as const;

/** Placeholders to replace with the real integrations (PagerDuty, Opsgenie, a ticketing webhook, …). */
export const EXAMPLE_OPTIONS: AlertmanagerOptions = {
  pager: { webhook_configs: [{ url: 'https://pager.example.com/alertmanager', send_resolved: true }] },
  tickets: { webhook_configs: [{ url: 'https://tickets.example.com/alertmanager', send_resolved: true }] },
  groupWait: '30s',
  groupInterval: '5m',
  repeatInterval: '12h',
  pagerRepeatInterval: '1h',
};

const CONNECT_WORK_ALERTS = 'KafkaConnect(Connector.+|Task.+|RestartLoop)';

export function alertmanagerConfig(config: MonitoringConfig, options: AlertmanagerOptions): Record<string, unknown> {
  const deployment = config.groupLabels;
  const cluster = [...deployment, 'connect_cluster'];
  return {
    route: {
      receiver: RECEIVER_NAMES.tickets,
      // One notification per alert and Connect cluster: a broker outage failing 500 tasks is one page, not 500.
      group_by: ['alertname', ...cluster],
      group_wait: options.groupWait,
      group_interval: options.groupInterval,
      repeat_interval: options.repeatInterval,
      routes: [
        {
          matchers: ['severity="critical"'],
          receiver: RECEIVER_NAMES.pager,
          // A page belongs to one connector and task: a second target that automation gives up on pages on its own,
          // at once, instead of joining an incident that may already be acknowledged. Cluster-wide pages have
          // neither label, so they stay one per cluster.
          group_by: ['alertname', ...cluster, 'connector', 'task'],
          repeat_interval: options.pagerRepeatInterval,
        },
        { matchers: ['severity="info"'], receiver: RECEIVER_NAMES.blackhole },
      ],
    },
    inhibit_rules: [
      // The exporter is gone: everything it reported is unknown. KafkaConnectExporterDown carries only the group labels.
      {
        source_matchers: ['alertname="KafkaConnectExporterDown"'],
        target_matchers: ['alertname=~"KafkaConnect.+"', 'alertname!="KafkaConnectExporterDown"'],
        equal: [...deployment],
      },
      // One Connect cluster cannot be read: mute what is derived from its (old) data, not other clusters' alerts.
      {
        source_matchers: ['alertname="KafkaConnectClusterUnreachable"'],
        target_matchers: ['alertname=~"KafkaConnect(StaleData|PollErrorBudgetBurn|RestErrors|AutoRestart.+|Connector.+|Task.+|RestartLoop)"'],
        equal: cluster,
      },
      // The circuit breaker page already says that many tasks failed together.
      {
        source_matchers: ['alertname="KafkaConnectAutoRestartCircuitOpen"'],
        target_matchers: [`alertname=~"${CONNECT_WORK_ALERTS}"`],
        equal: cluster,
      },
      // The page for a target that auto-restart gave up on replaces its warnings. A connector's page has no `task`
      // label and so mutes only the connector's own alerts: a missing label equals an empty one.
      {
        source_matchers: ['alertname="KafkaConnectAutoRestartExhausted"'],
        target_matchers: [`alertname=~"${CONNECT_WORK_ALERTS}"`],
        equal: [...cluster, 'connector', 'task'],
      },
    ],
    receivers: [
      { name: RECEIVER_NAMES.pager, ...options.pager },
      { name: RECEIVER_NAMES.tickets, ...options.tickets },
      { name: RECEIVER_NAMES.blackhole },
    ],
  };
}

export function renderAlertmanagerExample(config: MonitoringConfig): string {
  return (
    GENERATED_HEADER +
    '# An example Alertmanager configuration for connect-sentinel: replace the placeholder receivers, or copy the\n' +
    '# routes and inhibit_rules into your own configuration.\n' +
    toYaml(alertmanagerConfig(config, EXAMPLE_OPTIONS))
  );
}
