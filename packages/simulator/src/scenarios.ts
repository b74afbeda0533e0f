// Named, scripted situations for the demo and whole-service tests. `setup` builds the fleet; `steps` run one at a
// time, in order and then round again: by `sim.step()` in tests, on a timer in auto mode.

import type { ConnectorSpec, SimCluster } from './cluster.ts';
import type { Faults } from './faults.ts';
import type { KafkaProfile } from './version.ts';

export interface ScenarioContext {
  cluster: SimCluster;
  faults: Faults;
  profile: KafkaProfile;
}

export interface ScenarioStep {
  description: string;
  run(sim: ScenarioContext): void;
}

export interface Scenario {
  name: string;
  description: string;
  setup(sim: ScenarioContext): void;
  steps: readonly ScenarioStep[];
}

const DEBEZIUM_POSTGRES = 'io.debezium.connector.postgresql.PostgresConnector';
const DEBEZIUM_MYSQL = 'io.debezium.connector.mysql.MySqlConnector';
const JDBC_SOURCE = 'io.confluent.connect.jdbc.JdbcSourceConnector';
const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
const S3_SINK = 'io.confluent.connect.s3.S3SinkConnector';
const ELASTICSEARCH_SINK = 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector';
const SNOWFLAKE_SINK = 'com.snowflake.kafka.connector.SnowflakeSinkConnector';
const MIRROR_SOURCE = 'org.apache.kafka.connect.mirror.MirrorSourceConnector';
const MIRROR_CHECKPOINT = 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector';
const FILE_SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

/**
 * A small realistic fleet with every situation the dashboards and the restarter care about:
 * - `inventory-jdbc-source` task 0: database refused connections; recovers after one restart.
 * - `billing-jdbc-sink`: the connector fails on a missing required config; every restart fails again.
 * - `events-snowflake-sink` task 1: a retriable TimeoutException that comes back after every restart (flapping, until
 *   the restart budget runs out).
 * - `audit-es-sink` is PAUSED; `legacy-file-sink` is STOPPED (PAUSED before Kafka 3.5, which has no STOPPED).
 * - `eu-us-mm2-source`: the connector instance FAILED while its tasks keep RUNNING; recovers after a restart.
 */
export const demo: Scenario = {
  name: 'demo',
  description: 'A small realistic fleet with retriable, permanent and flapping failures, paused and stopped connectors.',
  setup: ({ cluster, profile }) => {
    const fleet: ConnectorSpec[] = [
      { name: 'orders-postgres-cdc', connectorClass: DEBEZIUM_POSTGRES, tasks: 1 },
      { name: 'payments-mysql-cdc', connectorClass: DEBEZIUM_MYSQL, tasks: 1 },
      { name: 'orders-jdbc-sink', connectorClass: JDBC_SINK, tasks: 2 },
      {
        name: 'inventory-jdbc-source',
        connectorClass: JDBC_SOURCE,
        tasks: [{ state: 'FAILED', failure: 'connection-refused', restart: { recoverAfterRestart: true } }, {}],
      },
      {
        name: 'billing-jdbc-sink',
        connectorClass: JDBC_SINK,
        state: 'FAILED',
        failure: 'config-missing',
        restart: { permanent: true },
        tasks: [],
      },
      { name: 'clickstream-s3-sink', connectorClass: S3_SINK, tasks: 4 },
      { name: 'orders-es-sink', connectorClass: ELASTICSEARCH_SINK, tasks: 3 },
      {
        name: 'events-snowflake-sink',
        connectorClass: SNOWFLAKE_SINK,
        tasks: [{}, { state: 'FAILED', failure: 'timeout', restart: { permanent: true } }],
      },
      { name: 'audit-es-sink', connectorClass: ELASTICSEARCH_SINK, state: 'PAUSED', tasks: 2 },
      { name: 'legacy-file-sink', connectorClass: FILE_SINK, state: profile.has('stop') ? 'STOPPED' : 'PAUSED', tasks: 1 },
      {
        name: 'eu-us-mm2-source',
        connectorClass: MIRROR_SOURCE,
        state: 'FAILED',
        failure: 'timeout',
        restart: { recoverAfterRestart: true },
        tasks: 3,
      },
      { name: 'eu-us-mm2-checkpoint', connectorClass: MIRROR_CHECKPOINT, tasks: 1 },
    ];
    cluster.load(fleet);
  },
  steps: [
    {
      description: 'orders-es-sink task 1: Elasticsearch rejects a bulk request (recovers after a restart)',
      run: ({ cluster }) => failIfRunning(cluster, 'orders-es-sink', 1, 'elasticsearch-bulk', 0),
    },
    {
      description: 'payments-mysql-cdc task 0: the change event producer stops (fails once more, then recovers)',
      run: ({ cluster }) => failIfRunning(cluster, 'payments-mysql-cdc', 0, 'debezium-producer', 1),
    },
    {
      description: 'clickstream-s3-sink task 3: the topic is not readable (recovers after a restart)',
      run: ({ cluster }) => failIfRunning(cluster, 'clickstream-s3-sink', 3, 'topic-authorization', 0),
    },
  ],
};

/** Fails a task that is RUNNING (a scripted failure must not disturb one already being handled). */
function failIfRunning(
  cluster: SimCluster,
  connector: string,
  task: number,
  failure: 'elasticsearch-bulk' | 'debezium-producer' | 'topic-authorization',
  failuresLeft: number,
): void {
  const current = cluster.get(connector)?.tasks.find((entry) => entry.id === task);
  if (current?.state !== 'RUNNING') return;
  cluster.failTask(connector, task, failure);
  cluster.setRestartScript(connector, task, failuresLeft > 0 ? { failuresLeft } : { recoverAfterRestart: true });
}

const STEADY_FLEET: readonly ConnectorSpec[] = [
  { name: 'orders-postgres-cdc', connectorClass: DEBEZIUM_POSTGRES, tasks: 1 },
  { name: 'orders-jdbc-sink', connectorClass: JDBC_SINK, tasks: 2 },
  { name: 'clickstream-s3-sink', connectorClass: S3_SINK, tasks: 4 },
  { name: 'orders-es-sink', connectorClass: ELASTICSEARCH_SINK, tasks: 3 },
];

/** The worker restarts (§5.4): connections refused, Jetty's HTML 404, an empty then partial list, then ready again. */
export const workerRestart: Scenario = {
  name: 'worker-restart',
  description: 'A worker restarting: refused, HTML 404, reading the internal topics (empty, then partial), ready.',
  setup: ({ cluster }) => cluster.load(STEADY_FLEET),
  steps: [
    { description: 'the worker goes down: connections are refused', run: ({ faults }) => (faults.startupPhase = 'refused') },
    { description: "Jetty listens before the REST resources exist: HTML 404", run: ({ faults }) => (faults.startupPhase = 'html404') },
    {
      description: 'the herder reads the internal topics: no connectors known yet',
      run: ({ faults }) => {
        faults.startupVisible = [];
        faults.startupPhase = 'reading';
      },
    },
    {
      description: 'the herder has read part of the config topic',
      run: ({ cluster, faults }) => {
        faults.startupVisible = cluster.names().slice(0, Math.ceil(cluster.size / 2));
        faults.startupPhase = 'reading';
      },
    },
    { description: 'the worker has joined the group: ready', run: ({ faults }) => (faults.startupPhase = 'ready') },
  ],
};

/** A connector whose stop hangs blocks the herder thread: queued requests time out, local ones keep answering. */
export const slowHerder: Scenario = {
  name: 'slow-herder',
  description: 'The herder thread is stuck stopping a connector: queued requests time out, then it recovers.',
  setup: ({ cluster }) => cluster.load(STEADY_FLEET),
  steps: [
    {
      description: 'the herder is stuck stopping orders-jdbc-sink',
      run: ({ faults }) => {
        faults.herderStage = 'stopping connector orders-jdbc-sink';
        faults.herderBlocked = true;
      },
    },
    { description: 'the herder is free again', run: ({ faults }) => (faults.herderBlocked = false) },
  ],
};

export const SCENARIOS = { demo, 'worker-restart': workerRestart, 'slow-herder': slowHerder } as const;

export type ScenarioName = keyof typeof SCENARIOS;

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];
