// Go-template fragments for alert descriptions. They only print labels the alert's expression keeps.

/** `{{ $labels.name }}` */
export function label(name: string): string {
  return `{{ $labels.${name} }}`;
}

/** `Task 3 of connector orders-sink` or `Connector orders-sink`: targets of auto-restart carry `task` only for tasks. */
export const TARGET = `{{ if $labels.task }}Task {{ $labels.task }} of connector{{ else }}Connector{{ end }} ${label('connector')}`;

/**
 * ` Root cause: java.sql.SQLException.` from the failure info series of the alert's target, looked up with the
 * template `query` function; nothing when Connect reported no parseable trace. `%q` quotes label values the way
 * PromQL string literals expect, so connector names with quotes or backslashes are safe.
 */
export function rootCause(infoMetric: string, identifyingLabels: readonly string[]): string {
  const matchers = identifyingLabels.map((name) => `${name}=%q`).join(',');
  const args = identifyingLabels.map((name) => `$labels.${name}`).join(' ');
  const query = `printf "max by (root_cause) (${infoMetric}{${matchers}})" ${args} | query`;
  return `{{ with ${query} }}{{ range . }}{{ if .Labels.root_cause }} Root cause: {{ .Labels.root_cause }}.{{ end }}{{ end }}{{ end }}`;
}

/** The root cause of an auto-restart target: a task's when `task` is set, otherwise the connector's. */
export function targetRootCause(groupLabels: readonly string[]): string {
  const connector = [...groupLabels, 'connect_cluster', 'connector'];
  return `{{ if $labels.task }}${rootCause('kafka_connect_task_failure_info', [...connector, 'task'])}{{ else }}${rootCause('kafka_connect_connector_failure_info', connector)}{{ end }}`;
}

/**
 * ` Why: budget_exhausted (rule jdbc-sinks).` from the target's last auto-restart decision; nothing before the first
 * decision. One query serves connectors and tasks: a connector's `task=""` matches its series, which have no task.
 */
export function givenUpBecause(groupLabels: readonly string[]): string {
  const identifying = [...groupLabels, 'connect_cluster', 'connector', 'task'];
  const matchers = identifying.map((name) => `${name}=%q`).join(',');
  const args = identifying.map((name) => `$labels.${name}`).join(' ');
  const query = `printf "max by (reason, rule) (kafka_connect_autorestart_last_decision_info{${matchers}})" ${args} | query`;
  return `{{ with ${query} }}{{ range . }} Why: {{ .Labels.reason }}{{ if .Labels.rule }} (rule {{ .Labels.rule }}){{ end }}.{{ end }}{{ end }}`;
}
