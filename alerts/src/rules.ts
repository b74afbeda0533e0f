// The shape of Prometheus rule files, as connect-sentinel generates them.

export interface AlertingRule {
  alert: string;
  expr: string;
  /** Absent on alerts that wait on a state clock in their expression instead. */
  for?: string;
  keep_firing_for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string; runbook_url: string; dashboard_url: string };
}

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface RuleGroup {
  name: string;
  rules: Array<AlertingRule | RecordingRule>;
}
