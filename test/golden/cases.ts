// The golden exposition cases. Cluster views are decoded from the captured Kafka Connect responses in
// test/fixtures/connect-samples through the real wire decoder, plus hand-built views for what no capture shows
// (RESTARTING and STOPPED, a state Connect may add later, names that need escaping, auto-restart state).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeConnectorListing,
  decodeConnectorStatus,
  decodePlugins,
  decodeTaskStatus,
  decodeWorkerInfo,
} from '../../src/connect/decode.ts';
import {
  firstObserved,
  type ClusterRestartView,
  type ClusterView,
  type ConnectorStatus,
  type ObservedConnector,
  type TaskStatus,
} from '../../src/domain/model.ts';
import type { SelfMetrics } from '../../src/metrics/self.ts';
import { SAMPLES_DIR } from '../support/samples.ts';

const SAMPLES = SAMPLES_DIR;

function json(path: string): unknown {
  return JSON.parse(readFileSync(join(SAMPLES, path), 'utf8'));
}

/** The body of a `curl -i` style capture: what follows the blank line after the headers. */
function capturedBody(path: string): unknown {
  const text = readFileSync(join(SAMPLES, path), 'utf8');
  const headersEnd = text.indexOf('\n\n', text.indexOf('HTTP/1.1 '));
  const body = text.slice(headersEnd + 2);
  return JSON.parse(body.slice(0, body.lastIndexOf('}') + 1));
}

/** Polled at 2024-11-24T12:00:00.250Z; the values only have to be fixed. */
const POLLED_AT_MS = 1_732_449_600_250;

/** Every state was first seen an hour before the poll (a fixed time too). */
const STATES_SINCE_MS = POLLED_AT_MS - 3_600_000;

function observed(connectors: ConnectorStatus[]): ObservedConnector[] {
  return connectors.map((status) => ({ ...firstObserved(status, STATES_SINCE_MS), observedAt: POLLED_AT_MS }));
}

function upView(cluster: string, connectors: ConnectorStatus[], extra: Partial<ClusterView> = {}): ClusterView {
  return {
    cluster,
    up: true,
    pollDurationSeconds: 0.184,
    lastSuccessTimestampSeconds: POLLED_AT_MS / 1000,
    plugins: [],
    connectors: observed(connectors),
    ...extra,
  };
}

function expanded(path: string): ConnectorStatus[] {
  const listing = decodeConnectorListing(json(path));
  if (listing.kind !== 'expanded') throw new Error(`${path} is not an expanded listing`);
  return listing.connectors;
}

/** Every status capture, by connector name; classes come from the matching info capture where there is one. */
function statusCaptures(): ConnectorStatus[] {
  const files = [
    'status/00-docs-example-status-running.json',
    'status/01-ak2.5-elasticsearch-sink-task-failed.json',
    'status/02-ak2.1-jdbc-sink-two-tasks-failed-legacy-key-order.json',
    'status/03-cp5.5-replicator-10-tasks-mixed-failed.json',
    'status/04-sftp-sink-unassigned-after-worker-restart.json',
    'status/06-debezium-sqlserver-task-failed-no-cdc-role.json',
    'status/08-sftp-source-connector-failed-no-tasks.json',
  ];
  const connectors = files.map((file) => decodeConnectorStatus(json(file)));
  connectors.push(
    decodeConnectorStatus(json('status/10-connector-running-no-tasks-type-unknown.json'), {
      connectorClass: 'org.apache.kafka.connect.tools.MockConnector',
    }),
    decodeConnectorStatus(capturedBody('status/10b-ak3.4-status-running-http-capture.txt')),
  );
  // Task captures that came without their connector: give them one. The array fragment lacks its closing bracket.
  const oracleTasks: TaskStatus[] = [
    decodeTaskStatus(json('fragments/16-oracle-cdc-task-object-failed.json')),
    ...decodeConnectorStatus(
      JSON.parse(`{"name":"oracle-xstream-cdc","connector":{"state":"RUNNING","worker_id":"connect:8083"},${readFileSync(
        join(SAMPLES, 'fragments/15-oracle-xstream-cdc-tasks-array-fragment.txt'),
        'utf8',
      )}]}`),
    ).tasks.map((task) => ({ ...task, id: task.id + 10 })),
  ];
  connectors.push({
    name: 'oracle-cdc',
    type: 'source',
    connectorClass: 'io.confluent.connect.oracle.cdc.OracleCdcSourceConnector',
    state: 'running',
    workerId: 'connect:8083',
    tasks: oracleTasks.sort((a, b) => a.id - b.id),
  });
  connectors.push({
    name: 'verifiable-source',
    type: 'source',
    connectorClass: 'org.apache.kafka.connect.tools.VerifiableSourceConnector',
    state: 'running',
    workerId: 'connect:8083',
    tasks: [{ ...decodeTaskStatus(json('task-status/14-ak1.x-task-status-failed-legacy-key-order.json')) }],
  });
  return connectors.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function connector(name: string, state: string, tasks: Array<[number, string]>, extra: Partial<ConnectorStatus> = {}): ConnectorStatus {
  return {
    name,
    type: 'source',
    connectorClass: 'org.apache.kafka.connect.file.FileStreamSourceConnector',
    state: state as ConnectorStatus['state'],
    workerId: 'worker-1:8083',
    tasks: tasks.map(([id, taskState]) => ({ id, state: taskState as TaskStatus['state'], workerId: `worker-${id % 2}:8083` })),
    ...extra,
  };
}

/** Every connector state, every task state, a state from a future Connect, and connectors without tasks. */
function everyStateConnectors(): ConnectorStatus[] {
  return [
    connector('a-unassigned', 'unassigned', [[0, 'unassigned']]),
    connector('b-running', 'running', [
      [0, 'running'],
      [1, 'paused'],
      [2, 'restarting'],
      [3, 'unassigned'],
      [5, 'failed'],
      [6, 'unknown'],
    ]),
    connector('c-paused', 'paused', [[0, 'paused']]),
    connector('d-failed', 'failed', [], {
      failure: { exception: 'org.apache.kafka.connect.errors.ConnectException', rootCause: 'java.io.FileNotFoundException', trace: '…' },
    }),
    connector('e-restarting', 'restarting', [[0, 'restarting']]),
    connector('f-stopped', 'stopped', [], { type: 'sink', connectorClass: 'org.apache.kafka.connect.file.FileStreamSinkConnector' }),
    connector('g-unknown', 'unknown', [[0, 'unknown']], { type: 'unknown', connectorClass: '' }),
    // FAILED without a trace: the failure series is still there, with empty classes.
    connector('h-failed-without-trace', 'failed', [[0, 'failed']]),
  ];
}

/** Names Kafka Connect accepts (anything but an empty or control-only name) that need escaping or are just odd. */
function weirdConnectors(): ConnectorStatus[] {
  return [
    connector('quote"in the middle', 'running', [[0, 'running']]),
    connector('back\\slash\\', 'running', [[0, 'running']]),
    connector('line\nfeed', 'running', [[0, 'running']]),
    connector('ends with backslash quote\\"', 'running', []),
    connector('{braces},commas=equals', 'running', []),
    connector('ünïcödé ☕ 日本語 😀', 'running', [[0, 'running']]),
    connector(' leading and trailing spaces ', 'running', []),
    connector('lone surrogate \ud800', 'running', []),
  ].map((status) => ({ ...status, workerId: 'worker "one"\\:8083' }));
}

export interface GoldenCluster {
  view: ClusterView;
  restart?: ClusterRestartView;
}

export interface GoldenCase {
  name: string;
  description: string;
  clusters: GoldenCluster[];
  dropZeroStates?: boolean;
  /** Exporter self-metrics to record before rendering. */
  record?: (self: SelfMetrics) => void;
}

function samplesCluster(): ClusterView {
  return upView('captures', statusCaptures(), {
    worker: decodeWorkerInfo(json('root/17-ak2.1.1-server-info.json')),
    plugins: decodePlugins(json('misc/25-ak1.0-connector-plugins.json')),
  });
}

function expandedCluster(): ClusterView {
  return upView('expanded', [...expanded('expand/11-replicator-expand-status-task-failed.json'), ...expanded('expand/13-expand-info-and-status-fixture.json')], {
    worker: decodeWorkerInfo(json('root/17b-ak3.9.0-server-info.json')),
    plugins: decodePlugins(json('misc/25-ak1.0-connector-plugins.json')),
  });
}

export const GOLDEN_CASES: GoldenCase[] = [
  {
    name: 'captured-statuses',
    description: 'every captured connector and task status, decoded by the wire decoder',
    clusters: [{ view: samplesCluster() }],
  },
  {
    name: 'captured-expanded',
    description: 'the captured ?expand=status&expand=info listings: classes from info, configs never exported',
    clusters: [{ view: expandedCluster() }],
  },
  {
    name: 'every-state',
    description: 'every connector and task state, an unknown state (all 0), FAILED with and without a trace, tasks: []',
    clusters: [{ view: upView('states', everyStateConnectors()) }],
  },
  {
    name: 'drop-zero-states',
    description: 'the every-state view with dropZeroStates: only the current state, nothing for an unknown one',
    clusters: [{ view: upView('states', everyStateConnectors()) }],
    dropZeroStates: true,
  },
  {
    name: 'escaping',
    description: 'connector names and worker ids that need escaping or are merely unusual',
    clusters: [{ view: upView('weird "cluster"\\', weirdConnectors()) }],
  },
  {
    name: 'cluster-down',
    description: 'a cluster never reached (up 0, no success timestamp) and one that went away keeping its last known state',
    clusters: [
      {
        view: { cluster: 'never-reached', up: false, pollDurationSeconds: 10.002, lastSuccessTimestampSeconds: null, plugins: [], connectors: [] },
      },
      {
        view: {
          ...upView('gone-away', [connector('still-known', 'running', [[0, 'running']])], {
            worker: { version: '3.7.1', commit: 'e2494e6ffb89f828', kafkaClusterId: 'lvLSwdzfSi6EQqhyeBQMiw' },
          }),
          up: false,
          pollDurationSeconds: 0.003,
        },
      },
    ],
  },
  {
    name: 'several-clusters',
    description: 'three clusters: every family once, with the lines of all clusters under it (clusters by name)',
    clusters: [{ view: expandedCluster() }, { view: upView('states', everyStateConnectors().slice(0, 3)) }, { view: samplesCluster() }],
  },
  {
    name: 'autorestart',
    description: 'auto-restart gauges from the restart view and the restart counters, a connector target without a task label',
    clusters: [
      {
        view: upView('prod', [
          connector('orders-sink', 'failed', [[0, 'failed'], [1, 'running']], {
            type: 'sink',
            connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
            failure: { exception: 'org.apache.kafka.connect.errors.ConnectException', rootCause: 'java.sql.SQLException', trace: '…' },
          }),
          connector('payments-source', 'running', [[0, 'failed'], [1, 'failed']]),
        ]),
        restart: {
          cluster: 'prod',
          circuit: { open: false, failingConnectors: 0, connectors: 0 },
          targets: [
            {
              ref: { cluster: 'prod', connector: 'orders-sink' },
              exhausted: true,
              nextAttemptAt: null,
              decision: { action: 'skip', reason: 'budget_exhausted', rule: 'jdbc-sinks' },
            },
            {
              ref: { cluster: 'prod', connector: 'orders-sink', task: 0 },
              exhausted: false,
              nextAttemptAt: 1_732_449_660_000,
              decision: { action: 'restart', reason: 'backoff_elapsed', rule: null },
            },
            { ref: { cluster: 'prod', connector: 'payments-source', task: 0 }, exhausted: false, nextAttemptAt: 1_732_449_600_750 },
            { ref: { cluster: 'prod', connector: 'payments-source', task: 1 }, exhausted: true, nextAttemptAt: null },
          ],
          lastRestarts: [
            { ref: { cluster: 'prod', connector: 'orders-sink' }, at: 1_732_449_000_000 },
            { ref: { cluster: 'prod', connector: 'payments-source', task: 0 }, at: 1_732_449_540_750 },
          ],
        },
      },
      {
        view: upView('staging', [connector('audit', 'running', [[0, 'failed']])]),
        restart: {
          cluster: 'staging',
          circuit: { open: true, failingConnectors: 3, connectors: 4 },
          targets: [{ ref: { cluster: 'staging', connector: 'audit', task: 0 }, exhausted: false, nextAttemptAt: null }],
          lastRestarts: [],
        },
      },
    ],
    record(self) {
      self.restRequest('prod', 'connectors', '200');
      self.restRequest('prod', 'connectors', '200');
      self.restRequest('prod', 'connector_restart', '202');
      self.restRequest('prod', 'task_restart', '409');
      self.restRequest('staging', 'root', 'timeout');
      self.pollError('staging', 'timeout');
      self.restart({ cluster: 'prod', connector: 'orders-sink' });
      self.restart({ cluster: 'prod', connector: 'orders-sink', task: 0 });
      self.restart({ cluster: 'prod', connector: 'orders-sink', task: 0 });
      self.restart({ cluster: 'prod', connector: 'payments-source', task: 1 });
      self.restartFailure({ cluster: 'prod', connector: 'payments-source', task: 1 });
      self.skipped('prod', 'orders-sink', 'budget_exhausted');
      self.skipped('prod', 'payments-source', 'backoff');
      self.skipped('staging', 'audit', 'circuit_open');
      self.setConfigReload(true, 1_732_449_000);
      self.setConfigReload(false, 1_732_449_500);
      self.setHistoryWritable(true);
      self.historyWriteFailure();
    },
  },
];
