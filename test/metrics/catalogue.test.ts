import { describe, expect, it } from 'vitest';
import { SKIP_REASONS } from '../../src/domain/model.ts';
import { ALL_METRICS, METRICS, POLL_ERROR_REASONS, POLL_FAMILIES } from '../../src/metrics/catalogue.ts';

/** The metric contract: names and labels users, dashboards and alerts depend on. */
const CONTRACT: Record<string, string[]> = {
  kafka_connect_up: ['connect_cluster'],
  kafka_connect_poll_duration_seconds: ['connect_cluster'],
  kafka_connect_last_poll_success_timestamp_seconds: ['connect_cluster'],
  kafka_connect_cluster_info: ['connect_cluster', 'version', 'commit', 'kafka_cluster_id'],
  kafka_connect_connector_info: ['connect_cluster', 'connector', 'type', 'connector_class'],
  kafka_connect_connector_state: ['connect_cluster', 'connector', 'state'],
  kafka_connect_task_state: ['connect_cluster', 'connector', 'task', 'state'],
  kafka_connect_task_info: ['connect_cluster', 'connector', 'task', 'worker_id'],
  kafka_connect_connector_failure_info: ['connect_cluster', 'connector', 'exception', 'root_cause'],
  kafka_connect_task_failure_info: ['connect_cluster', 'connector', 'task', 'exception', 'root_cause'],
  kafka_connect_plugin_info: ['connect_cluster', 'class', 'type', 'version'],
  kafka_connect_exporter_rest_requests_total: ['connect_cluster', 'endpoint', 'code'],
  kafka_connect_exporter_build_info: ['version', 'nodejs_version'],
  kafka_connect_exporter_config_last_reload_successful: [],
  kafka_connect_exporter_config_last_reload_success_timestamp_seconds: [],
  kafka_connect_autorestart_restarts_total: ['connect_cluster', 'connector', 'task'],
  kafka_connect_autorestart_restart_failures_total: ['connect_cluster', 'connector', 'task'],
  kafka_connect_autorestart_skipped_total: ['connect_cluster', 'connector', 'reason'],
  kafka_connect_autorestart_exhausted: ['connect_cluster', 'connector', 'task'],
  kafka_connect_autorestart_next_attempt_timestamp_seconds: ['connect_cluster', 'connector', 'task'],
  kafka_connect_autorestart_circuit_open: ['connect_cluster'],
  kafka_connect_exporter_history_writable: [],
  kafka_connect_exporter_history_write_failures_total: [],
};

describe('metric catalogue', () => {
  it('holds every metric of the contract with exactly its labels', () => {
    for (const [name, labels] of Object.entries(CONTRACT)) {
      expect(ALL_METRICS.find((metric) => metric.name === name)?.labels, name).toEqual(labels);
    }
  });

  it('adds only the documented extras to the contract', () => {
    const extras = ALL_METRICS.map((metric) => metric.name).filter((name) => !(name in CONTRACT));
    expect(extras.sort()).toEqual([
      'kafka_connect_autorestart_last_decision_info',
      'kafka_connect_autorestart_last_restart_timestamp_seconds',
      'kafka_connect_autorestart_mode',
      'kafka_connect_connector_state_since_timestamp_seconds',
      'kafka_connect_connector_worker_info',
      'kafka_connect_exporter_leader',
      'kafka_connect_exporter_leader_generation',
      'kafka_connect_exporter_poll_errors_total',
      'kafka_connect_exporter_poll_interval_seconds',
      'kafka_connect_exporter_polls_total',
      'kafka_connect_exporter_tls_verification_disabled',
      'kafka_connect_task_state_since_timestamp_seconds',
    ]);
    for (const name of extras) expect(ALL_METRICS.find((metric) => metric.name === name)?.stability).toBe('experimental');
  });

  it('has unique, well-formed names: counters end in _total, nothing else does', () => {
    const names = ALL_METRICS.map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
    for (const metric of ALL_METRICS) {
      expect(metric.name).toMatch(/^kafka_connect_[a-z0-9_]+$/);
      expect(metric.name.endsWith('_total')).toBe(metric.type === 'counter');
      for (const label of metric.labels) expect(label).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(metric.labels).not.toContain('cluster');
      for (const label of metric.optionalLabels) expect(metric.labels).toContain(label);
    }
  });

  it('has one-line help texts that need no escaping in either format', () => {
    for (const metric of ALL_METRICS) {
      expect(metric.help).toMatch(/^\S.*\.$/);
      expect(metric.help).not.toMatch(/["\\\n]/);
    }
  });

  it('says in the help of every per-poll metric that its data is cached from the last poll', () => {
    for (const metric of ALL_METRICS) {
      expect(metric.help.includes('From the last poll of the cluster (cached between polls).')).toBe(metric.source === 'poll');
    }
  });

  it('renders per poll exactly the poll metrics, all gauges identified by connect_cluster', () => {
    expect(POLL_FAMILIES.map((family) => METRICS[family].name).sort()).toEqual(
      ALL_METRICS.filter((metric) => metric.source === 'poll').map((metric) => metric.name).sort(),
    );
    for (const family of POLL_FAMILIES) {
      expect(METRICS[family].type).toBe('gauge');
      expect(METRICS[family].labels[0]).toBe('connect_cluster');
    }
  });

  it('has bounded, lower-case reason sets', () => {
    for (const reason of [...POLL_ERROR_REASONS, ...SKIP_REASONS]) expect(reason).toMatch(/^[a-z_]+$/);
  });
});
