// Realistic failures, as the corpus of real traces shows them (docs/connect-rest-api.md §3, §8): each builds a TraceSpec
// whose frames fit the worker's Kafka version. Messages hold user data (tables, topics, hosts), never a password.

import { executorStack, workerStack, type TraceSpec } from './traces.ts';
import type { KafkaProfile } from './version.ts';

const CONNECT_EXCEPTION = 'org.apache.kafka.connect.errors.ConnectException';
const RUNTIME = 'org.apache.kafka.connect.runtime';

type Preset = (profile: KafkaProfile) => TraceSpec;

/** Where the runtime itself throws "Exiting WorkerSinkTask due to unrecoverable exception.". */
function sinkExitStack(profile: KafkaProfile): string[] {
  const [, ...below] = workerStack('sink-task', profile);
  return [`${RUNTIME}.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:${profile.traceLines.sinkDeliver})`, ...below];
}

const JDBC_BATCH_MESSAGE =
  'java.sql.BatchUpdateException: Batch entry 0 INSERT INTO "orders" ("id","status","customer_id") VALUES (1042,\'SHIPPED_TO_CUSTOMER\',77) ' +
  'ON CONFLICT ("id") DO UPDATE SET "status"=EXCLUDED."status","customer_id"=EXCLUDED."customer_id" was aborted: ' +
  'ERROR: value too long for type character varying(16)  Call getNextException to see other errors in the batch.\n' +
  'org.postgresql.util.PSQLException: ERROR: value too long for type character varying(16)\n';

const PRESETS = {
  /** JDBC sink: a row the table rejects. Not retriable: the same record fails again. */
  'jdbc-sink-batch': (profile) => ({
    exception: CONNECT_EXCEPTION,
    message: 'Exiting WorkerSinkTask due to unrecoverable exception.',
    stack: sinkExitStack(profile),
    causes: [
      {
        exception: CONNECT_EXCEPTION,
        message: `java.sql.SQLException: ${JDBC_BATCH_MESSAGE}`,
        frames: ['io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:122)'],
      },
      {
        exception: 'java.sql.SQLException',
        message: JDBC_BATCH_MESSAGE,
        frames: ['io.confluent.connect.jdbc.sink.JdbcSinkTask.put(JdbcSinkTask.java:94)'],
      },
    ],
  }),
  /** A converter cannot read a record and errors.tolerance is none. */
  'tolerance-exceeded': (profile) => {
    const [, ...belowDeliver] = workerStack('sink-task', profile);
    const converting = [
      `${RUNTIME}.errors.RetryWithToleranceOperator.execAndHandleError(RetryWithToleranceOperator.java:223)`,
      `${RUNTIME}.errors.RetryWithToleranceOperator.execute(RetryWithToleranceOperator.java:149)`,
      `${RUNTIME}.WorkerSinkTask.convertAndTransformRecord(WorkerSinkTask.java:513)`,
      `${RUNTIME}.WorkerSinkTask.convertMessages(WorkerSinkTask.java:493)`,
      ...belowDeliver,
    ];
    return {
      exception: CONNECT_EXCEPTION,
      message: 'Tolerance exceeded in error handler',
      stack: converting,
      causes: [
        {
          exception: 'org.apache.kafka.connect.errors.DataException',
          message: 'Converting byte[] to Kafka Connect data failed due to serialization error: ',
          stack: [
            'org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:333)',
            'org.apache.kafka.connect.storage.Converter.toConnectData(Converter.java:91)',
            `${RUNTIME}.WorkerSinkTask.lambda$convertAndTransformRecord$4(WorkerSinkTask.java:513)`,
            `${RUNTIME}.errors.RetryWithToleranceOperator.execAndRetry(RetryWithToleranceOperator.java:173)`,
            ...converting,
          ],
        },
        {
          exception: 'org.apache.kafka.common.errors.SerializationException',
          message:
            "com.fasterxml.jackson.core.JsonParseException: Unrecognized token 'order': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n" +
            ' at [Source: (byte[])"order-1042"; line: 1, column: 6]',
          stack: [
            'org.apache.kafka.connect.json.JsonDeserializer.deserialize(JsonDeserializer.java:66)',
            'org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:331)',
          ],
        },
      ],
    };
  },
  /** Debezium's streaming thread lost its replication slot; usually recovers after a restart. */
  'debezium-producer': (profile) => {
    const streaming = [
      'io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.execute(PostgresStreamingChangeEventSource.java:41)',
      'io.debezium.pipeline.ChangeEventSourceCoordinator.streamEvents(ChangeEventSourceCoordinator.java:280)',
      'io.debezium.pipeline.ChangeEventSourceCoordinator.executeChangeEventSources(ChangeEventSourceCoordinator.java:197)',
      'io.debezium.pipeline.ChangeEventSourceCoordinator.lambda$start$0(ChangeEventSourceCoordinator.java:140)',
      ...executorStack(profile),
    ];
    return {
      exception: CONNECT_EXCEPTION,
      message: 'An exception occurred in the change event producer. This connector will be stopped.',
      stack: [
        'io.debezium.pipeline.ErrorHandler.setProducerThrowable(ErrorHandler.java:67)',
        'io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.execute(PostgresStreamingChangeEventSource.java:180)',
        ...streaming,
      ],
      causes: [
        {
          exception: 'org.postgresql.util.PSQLException',
          message: 'ERROR: replication slot "debezium_orders" is active for PID 2187',
          stack: [
            'org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)',
            'org.postgresql.core.v3.QueryExecutorImpl.processCopyResults(QueryExecutorImpl.java:1368)',
            'org.postgresql.core.v3.QueryExecutorImpl.startCopy(QueryExecutorImpl.java:1051)',
            'org.postgresql.core.v3.replication.V3ReplicationProtocol.initializeReplication(V3ReplicationProtocol.java:58)',
            'org.postgresql.core.v3.replication.V3ReplicationProtocol.startLogical(V3ReplicationProtocol.java:42)',
            'org.postgresql.replication.fluent.logical.LogicalStreamBuilder.start(LogicalStreamBuilder.java:41)',
            'io.debezium.connector.postgresql.connection.PostgresReplicationConnection.startPgReplicationStream(PostgresReplicationConnection.java:649)',
            'io.debezium.connector.postgresql.connection.PostgresReplicationConnection.startStreaming(PostgresReplicationConnection.java:415)',
            'io.debezium.connector.postgresql.PostgresStreamingChangeEventSource.execute(PostgresStreamingChangeEventSource.java:137)',
            ...streaming,
          ],
        },
      ],
    };
  },
  /** The connector's config is invalid: fails at start and again after every restart. */
  'config-missing': (profile) => ({
    exception: 'org.apache.kafka.common.config.ConfigException',
    message: 'Missing required configuration "connection.url" which has no default value.',
    stack: [
      'org.apache.kafka.common.config.ConfigDef.parseValue(ConfigDef.java:493)',
      'org.apache.kafka.common.config.ConfigDef.parse(ConfigDef.java:483)',
      'org.apache.kafka.common.config.AbstractConfig.<init>(AbstractConfig.java:113)',
      'org.apache.kafka.common.config.AbstractConfig.<init>(AbstractConfig.java:133)',
      'io.confluent.connect.jdbc.sink.JdbcSinkConfig.<init>(JdbcSinkConfig.java:551)',
      'io.confluent.connect.jdbc.JdbcSinkConnector.start(JdbcSinkConnector.java:45)',
      ...workerStack('connector', profile),
    ],
  }),
  /** The database is down: retriable. */
  'connection-refused': (profile) => {
    const polling = [
      'io.confluent.connect.jdbc.source.JdbcSourceTask.poll(JdbcSourceTask.java:361)',
      ...workerStack('source-task', profile),
    ];
    const connecting = [
      'org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:319)',
      'org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:49)',
      'org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:247)',
      'org.postgresql.Driver.makeConnection(Driver.java:434)',
      'org.postgresql.Driver.connect(Driver.java:291)',
      'java.sql/java.sql.DriverManager.getConnection(DriverManager.java:681)',
      'io.confluent.connect.jdbc.util.CachedConnectionProvider.getConnection(CachedConnectionProvider.java:59)',
      ...polling,
    ];
    const refused = 'Connection to postgres-orders.db.internal:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.';
    return {
      exception: CONNECT_EXCEPTION,
      message: `org.postgresql.util.PSQLException: ${refused}`,
      stack: polling,
      causes: [
        { exception: 'org.postgresql.util.PSQLException', message: refused, stack: connecting },
        {
          exception: 'java.net.ConnectException',
          message: 'Connection refused',
          stack: [
            'java.base/sun.nio.ch.Net.pollConnect(Native Method)',
            'java.base/sun.nio.ch.Net.pollConnectNow(Net.java:672)',
            'java.base/java.net.PlainSocketImpl.connect(PlainSocketImpl.java:142)',
            'java.base/java.net.Socket.connect(Socket.java:633)',
            'org.postgresql.core.PGStream.createSocket(PGStream.java:241)',
            'org.postgresql.core.PGStream.<init>(PGStream.java:98)',
            'org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:109)',
            ...connecting,
          ],
        },
      ],
    };
  },
  /** A consumer or admin call ran out of time: the message line alone, as the corpus shows it. */
  timeout: () => ({
    exception: 'org.apache.kafka.common.errors.TimeoutException',
    message:
      'Timeout of 60000ms expired before the position for partition orders.v1-3 could be determined',
    stack: [],
  }),
  /** The producer refused a record (max.request.size): the cause has no stack, it comes from a callback. */
  'record-too-large': (profile) => {
    const modern = profile.kafka.major > 3 || (profile.kafka.major === 3 && profile.kafka.minor >= 3);
    const source = modern ? 'AbstractWorkerSourceTask' : 'WorkerSourceTask';
    const [, ...belowPoll] = workerStack('source-task', profile);
    return {
      exception: CONNECT_EXCEPTION,
      message: 'Unrecoverable exception from producer send callback',
      stack: [
        `${RUNTIME}.WorkerSourceTask.maybeThrowProducerSendException(WorkerSourceTask.java:316)`,
        `${RUNTIME}.${source}.sendRecords(${source}.java:389)`,
        ...belowPoll,
      ],
      causes: [
        {
          exception: 'org.apache.kafka.common.errors.RecordTooLargeException',
          message:
            'The message is 1311014 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration.',
          stack: [],
        },
      ],
    };
  },
  /** Wrong SASL credentials for the task's Kafka clients. */
  'sasl-authentication': () => ({
    exception: 'org.apache.kafka.common.errors.SaslAuthenticationException',
    message: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    stack: [],
  }),
  /** The task's principal may not read its topic. */
  'topic-authorization': (profile) => ({
    exception: CONNECT_EXCEPTION,
    message: 'Exiting WorkerSinkTask due to unrecoverable exception.',
    stack: sinkExitStack(profile),
    causes: [
      {
        exception: 'org.apache.kafka.common.errors.TopicAuthorizationException',
        message: 'Not authorized to access topics: [payments.v2]',
        stack: [],
      },
    ],
  }),
  /** Elasticsearch rejected a bulk request, on the connector's own bulk thread. */
  'elasticsearch-bulk': (profile) => ({
    exception: CONNECT_EXCEPTION,
    message: 'Exiting WorkerSinkTask due to unrecoverable exception.',
    stack: sinkExitStack(profile),
    causes: [
      {
        exception: CONNECT_EXCEPTION,
        message:
          'Bulk request failed: [{"type":"mapper_parsing_exception","reason":"failed to parse field [amount] of type [long] in document with id \'orders.v1+3+1042\'","index":"orders"}]',
        stack: [
          'io.confluent.connect.elasticsearch.ElasticsearchClient.handleResponse(ElasticsearchClient.java:640)',
          'io.confluent.connect.elasticsearch.ElasticsearchClient$1.afterBulk(ElasticsearchClient.java:428)',
          'org.elasticsearch.action.bulk.BulkRequestHandler$1.onResponse(BulkRequestHandler.java:59)',
          ...executorStack(profile),
        ],
      },
    ],
  }),
  /** A CDC session dropped; the message spans lines and holds blank lines. */
  'oracle-session-lost': (profile) => {
    const streaming = [
      'io.debezium.connector.oracle.logminer.LogMinerStreamingChangeEventSource.execute(LogMinerStreamingChangeEventSource.java:62)',
      'io.debezium.pipeline.ChangeEventSourceCoordinator.streamEvents(ChangeEventSourceCoordinator.java:313)',
      'io.debezium.pipeline.ChangeEventSourceCoordinator.executeChangeEventSources(ChangeEventSourceCoordinator.java:203)',
      'io.debezium.pipeline.ChangeEventSourceCoordinator.lambda$start$0(ChangeEventSourceCoordinator.java:143)',
      ...executorStack(profile),
    ];
    return {
      exception: CONNECT_EXCEPTION,
      message: 'An exception occurred in the change event producer. This connector will be stopped.',
      stack: ['io.debezium.pipeline.ErrorHandler.setProducerThrowable(ErrorHandler.java:67)', ...streaming],
      causes: [
        {
          exception: 'java.sql.SQLRecoverableException',
          message: 'ORA-03113: end-of-file on communication channel\nProcess ID: 8563\nSession ID: 370 Serial number: 9305\n\n\n',
          stack: [
            'oracle.jdbc.driver.T4CTTIoer11.processError(T4CTTIoer11.java:509)',
            'oracle.jdbc.driver.T4CStatement.doOall8(T4CStatement.java:193)',
            'io.debezium.connector.oracle.logminer.LogMinerStreamingChangeEventSource.execute(LogMinerStreamingChangeEventSource.java:241)',
            ...streaming,
          ],
        },
      ],
    };
  },
} satisfies Record<string, Preset>;

export type FailureKind = keyof typeof PRESETS;

export const FAILURE_KINDS = Object.keys(PRESETS) as FailureKind[];

export function failureSpec(kind: FailureKind, profile: KafkaProfile): TraceSpec {
  return PRESETS[kind](profile);
}
