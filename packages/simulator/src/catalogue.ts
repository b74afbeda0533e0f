// The connector plugins a simulated worker has installed, with realistic configs (including the credentials real
// configs carry: the service under test must never leak them).

import type { FailureKind } from './failures.ts';

export type PluginType = 'source' | 'sink';

export interface ConnectorPlugin {
  class: string;
  type: PluginType;
  /** The plugin's version; null for Kafka's own plugins, which report the worker's version. */
  version: string | null;
  taskClass: string;
  /** A short word for generated names, e.g. `postgres-cdc`. */
  nickname: string;
  /** The failure this kind of connector typically reports. */
  typicalFailure: FailureKind;
  /** Config entries beyond name, class and tasks.max; `secret` is the value for its credential, if it has one. */
  config(subject: string, secret: string): Record<string, string>;
}

const CONVERTERS = {
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'io.confluent.connect.avro.AvroConverter',
  'value.converter.schema.registry.url': 'http://schema-registry:8081',
};

export const CONNECTOR_PLUGINS: readonly ConnectorPlugin[] = [
  {
    class: 'io.debezium.connector.postgresql.PostgresConnector',
    type: 'source',
    version: '2.7.3.Final',
    taskClass: 'io.debezium.connector.postgresql.PostgresConnectorTask',
    nickname: 'postgres-cdc',
    typicalFailure: 'debezium-producer',
    config: (subject, secret) => ({
      'database.hostname': `postgres-${subject}.db.internal`,
      'database.port': '5432',
      'database.user': 'debezium',
      'database.password': secret,
      'database.dbname': subject,
      'topic.prefix': `cdc.${subject}`,
      'plugin.name': 'pgoutput',
      'slot.name': `debezium_${subject.replaceAll('-', '_')}`,
      ...CONVERTERS,
    }),
  },
  {
    class: 'io.debezium.connector.mysql.MySqlConnector',
    type: 'source',
    version: '2.7.3.Final',
    taskClass: 'io.debezium.connector.mysql.MySqlConnectorTask',
    nickname: 'mysql-cdc',
    typicalFailure: 'debezium-producer',
    config: (subject, secret) => ({
      'database.hostname': `mysql-${subject}.db.internal`,
      'database.port': '3306',
      'database.user': 'debezium',
      'database.password': secret,
      'database.server.id': '184054',
      'topic.prefix': `cdc.${subject}`,
      'schema.history.internal.kafka.topic': `schema-history.${subject}`,
      'schema.history.internal.kafka.bootstrap.servers': 'kafka:9092',
      ...CONVERTERS,
    }),
  },
  {
    class: 'io.debezium.connector.oracle.OracleConnector',
    type: 'source',
    version: '2.7.3.Final',
    taskClass: 'io.debezium.connector.oracle.OracleConnectorTask',
    nickname: 'oracle-cdc',
    typicalFailure: 'oracle-session-lost',
    config: (subject, secret) => ({
      'database.hostname': `oracle-${subject}.db.internal`,
      'database.port': '1521',
      'database.user': 'c##dbzuser',
      'database.password': secret,
      'database.dbname': 'ORCLCDB',
      'topic.prefix': `cdc.${subject}`,
      ...CONVERTERS,
    }),
  },
  {
    class: 'io.confluent.connect.jdbc.JdbcSourceConnector',
    type: 'source',
    version: '10.7.6',
    taskClass: 'io.confluent.connect.jdbc.source.JdbcSourceTask',
    nickname: 'jdbc-source',
    typicalFailure: 'connection-refused',
    config: (subject, secret) => ({
      'connection.url': `jdbc:postgresql://postgres-${subject}.db.internal:5432/${subject}`,
      'connection.user': 'connect',
      'connection.password': secret,
      mode: 'timestamp+incrementing',
      'incrementing.column.name': 'id',
      'timestamp.column.name': 'updated_at',
      'topic.prefix': `jdbc.${subject}.`,
      ...CONVERTERS,
    }),
  },
  {
    class: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    type: 'sink',
    version: '10.7.6',
    taskClass: 'io.confluent.connect.jdbc.sink.JdbcSinkTask',
    nickname: 'jdbc-sink',
    typicalFailure: 'jdbc-sink-batch',
    config: (subject, secret) => ({
      'connection.url': `jdbc:postgresql://warehouse.db.internal:5432/analytics`,
      'connection.user': 'connect_writer',
      'connection.password': secret,
      topics: `${subject}.v1`,
      'insert.mode': 'upsert',
      'pk.mode': 'record_key',
      'auto.create': 'true',
      ...CONVERTERS,
    }),
  },
  {
    class: 'io.confluent.connect.s3.S3SinkConnector',
    type: 'sink',
    version: '10.5.13',
    taskClass: 'io.confluent.connect.s3.S3SinkTask',
    nickname: 's3-sink',
    typicalFailure: 'topic-authorization',
    config: (subject, secret) => ({
      topics: `${subject}.v1`,
      's3.bucket.name': `datalake-${subject}`,
      's3.region': 'eu-west-1',
      'aws.access.key.id': 'AKIAIOSFODNN7EXAMPLE',
      'aws.secret.access.key': secret,
      'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
      'format.class': 'io.confluent.connect.s3.format.parquet.ParquetFormat',
      'flush.size': '10000',
      'rotate.interval.ms': '600000',
      ...CONVERTERS,
    }),
  },
  {
    class: 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    type: 'sink',
    version: '14.1.0',
    taskClass: 'io.confluent.connect.elasticsearch.ElasticsearchSinkTask',
    nickname: 'es-sink',
    typicalFailure: 'elasticsearch-bulk',
    config: (subject, secret) => ({
      topics: `${subject}.v1`,
      'connection.url': 'https://elasticsearch.search.internal:9200',
      'connection.username': 'connect',
      'connection.password': secret,
      'key.ignore': 'false',
      'schema.ignore': 'true',
      'behavior.on.malformed.documents': 'fail',
      ...CONVERTERS,
    }),
  },
  {
    class: 'com.snowflake.kafka.connector.SnowflakeSinkConnector',
    type: 'sink',
    version: '2.4.1',
    taskClass: 'com.snowflake.kafka.connector.SnowflakeSinkTask',
    nickname: 'snowflake-sink',
    typicalFailure: 'tolerance-exceeded',
    config: (subject, secret) => ({
      topics: `${subject}.v1`,
      'snowflake.url.name': 'acme.eu-west-1.snowflakecomputing.com:443',
      'snowflake.user.name': 'KAFKA_CONNECT',
      'snowflake.private.key': secret,
      'snowflake.database.name': 'RAW',
      'snowflake.schema.name': subject.toUpperCase().replaceAll('-', '_'),
      'buffer.flush.time': '60',
    }),
  },
  {
    class: 'org.apache.kafka.connect.mirror.MirrorSourceConnector',
    type: 'source',
    version: null,
    taskClass: 'org.apache.kafka.connect.mirror.MirrorSourceTask',
    nickname: 'mm2-source',
    typicalFailure: 'record-too-large',
    config: (subject, secret) => ({
      'source.cluster.alias': 'eu',
      'target.cluster.alias': 'us',
      'source.cluster.bootstrap.servers': 'kafka-eu:9093',
      'target.cluster.bootstrap.servers': 'kafka-us:9093',
      'source.cluster.security.protocol': 'SASL_SSL',
      'source.cluster.sasl.mechanism': 'SCRAM-SHA-512',
      'source.cluster.sasl.jaas.config': `org.apache.kafka.common.security.scram.ScramLoginModule required username="mirror" password="${secret}";`,
      topics: `${subject}\\..*`,
      'replication.factor': '3',
    }),
  },
  {
    class: 'org.apache.kafka.connect.mirror.MirrorCheckpointConnector',
    type: 'source',
    version: null,
    taskClass: 'org.apache.kafka.connect.mirror.MirrorCheckpointTask',
    nickname: 'mm2-checkpoint',
    typicalFailure: 'sasl-authentication',
    config: (subject) => ({
      'source.cluster.alias': 'eu',
      'target.cluster.alias': 'us',
      'source.cluster.bootstrap.servers': 'kafka-eu:9093',
      'target.cluster.bootstrap.servers': 'kafka-us:9093',
      'groups': `${subject}-.*`,
      'emit.checkpoints.interval.seconds': '60',
    }),
  },
  {
    class: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    type: 'sink',
    version: null,
    taskClass: 'org.apache.kafka.connect.file.FileStreamSinkTask',
    nickname: 'file-sink',
    typicalFailure: 'timeout',
    config: (subject) => ({ topics: `${subject}.v1`, file: `/var/lib/connect/${subject}.out` }),
  },
];

const BY_CLASS = new Map(CONNECTOR_PLUGINS.map((plugin) => [plugin.class, plugin]));

export function connectorPlugin(connectorClass: string): ConnectorPlugin | undefined {
  return BY_CLASS.get(connectorClass);
}

/** Kafka's own non-connector plugins, listed with `connectorsOnly=false` (3.2+). Transformations and predicates report no version. */
export const OTHER_PLUGINS: ReadonlyArray<{ class: string; type: string; versioned: boolean }> = [
  { class: 'org.apache.kafka.connect.converters.ByteArrayConverter', type: 'converter', versioned: true },
  { class: 'org.apache.kafka.connect.json.JsonConverter', type: 'converter', versioned: true },
  { class: 'org.apache.kafka.connect.storage.StringConverter', type: 'converter', versioned: true },
  { class: 'org.apache.kafka.connect.converters.ByteArrayConverter', type: 'header_converter', versioned: true },
  { class: 'org.apache.kafka.connect.storage.SimpleHeaderConverter', type: 'header_converter', versioned: true },
  { class: 'org.apache.kafka.connect.transforms.ExtractField$Value', type: 'transformation', versioned: false },
  { class: 'org.apache.kafka.connect.transforms.InsertField$Value', type: 'transformation', versioned: false },
  { class: 'org.apache.kafka.connect.transforms.RegexRouter', type: 'transformation', versioned: false },
  { class: 'org.apache.kafka.connect.transforms.TimestampConverter$Value', type: 'transformation', versioned: false },
  { class: 'org.apache.kafka.connect.transforms.predicates.HasHeaderKey', type: 'predicate', versioned: false },
  { class: 'org.apache.kafka.connect.transforms.predicates.TopicNameMatches', type: 'predicate', versioned: false },
];
