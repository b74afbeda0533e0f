import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../src/connect/trace.ts';
import { BUILTIN_RULES } from '../../src/restart/builtin-rules.ts';
import { ruleFor, type RuleSubject } from '../../src/restart/compile.ts';
import { failure, policyOf } from './helpers.ts';
import { SAMPLES_DIR } from '../support/samples.ts';

const SAMPLES = SAMPLES_DIR;

function subjectOf(lines: string[], kind: RuleSubject['kind'] = 'task'): RuleSubject {
  const { exception, rootCause, trace } = failure(...lines);
  return { cluster: 'prod', connector: 'orders', connectorClass: 'io.example.Connector', kind, exception, rootCause, trace };
}

function subjectOfTrace(trace: string): RuleSubject {
  return { cluster: 'prod', connector: 'orders', connectorClass: 'io.example.Connector', kind: 'task', ...parseTrace(trace), trace };
}

/** Every trace in a captured response, wherever it sits. */
function tracesIn(path: string): string[] {
  const traces: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'trace' && typeof inner === 'string') traces.push(inner);
        else walk(inner);
      }
    }
  };
  walk(JSON.parse(readFileSync(join(SAMPLES, path), 'utf8')));
  return traces;
}

const policy = policyOf();
const ruleNameFor = (subject: RuleSubject) => ruleFor(policy, subject)?.name;

describe('built-in rules', () => {
  it('have unique names with the reserved prefix and say why', () => {
    const names = BUILTIN_RULES.map((rule) => rule.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of BUILTIN_RULES) {
      expect(rule.name.startsWith('builtin-')).toBe(true);
      expect(rule.why.length).toBeGreaterThan(30);
    }
  });

  it.each([
    [['org.apache.kafka.common.config.ConfigException: Missing required configuration "connection.url" which has no default value.'], 'builtin-config-exception'],
    [['org.apache.kafka.connect.errors.ConnectException: Failed to start', 'org.apache.kafka.common.config.ConfigException: Invalid value -1 for configuration batch.size'], 'builtin-config-exception'],
    [['org.apache.kafka.connect.errors.ConnectException: Unable to create producer', 'org.apache.kafka.common.KafkaException: Failed to construct kafka producer', 'org.apache.kafka.common.config.ConfigException: No resolvable bootstrap urls given in bootstrap.servers'], 'builtin-unresolvable-bootstrap-servers'],
    [['org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512'], 'builtin-kafka-sasl-invalid-credentials'],
    [['org.apache.kafka.connect.errors.ConnectException: Failed to start', 'org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed: Invalid username or password'], 'builtin-kafka-sasl-invalid-credentials'],
    [['org.apache.kafka.common.errors.UnsupportedSaslMechanismException: Client SASL mechanism \'SCRAM-SHA-256\' not enabled in the server, enabled mechanisms are [PLAIN]'], 'builtin-kafka-sasl-invalid-credentials'],
    // Transient SASL failures (AWS MSK IAM) are restarted: the rule once matched every SaslAuthenticationException.
    [['org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception', 'org.apache.kafka.common.errors.SaslAuthenticationException: [a1b2c3d4-0000-4000-8000-000000000000]: Too many connects'], undefined],
    [['org.apache.kafka.connect.errors.ConnectException: Failed to start', 'org.apache.kafka.common.errors.SaslAuthenticationException: Failed to find AWS IAM Credentials [Error while obtaining credentials]'], undefined],
    [['org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception', 'org.apache.kafka.common.errors.SslAuthenticationException: SSL handshake failed', 'javax.net.ssl.SSLHandshakeException: PKIX path building failed'], 'builtin-kafka-authentication'],
    [['org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception', 'org.apache.kafka.common.errors.SslAuthenticationException: SSL handshake failed'], 'builtin-kafka-authentication'],
    [['org.apache.kafka.common.errors.TopicAuthorizationException: Not authorized to access topics: [orders]'], 'builtin-kafka-authorization'],
    [['org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send callback', 'org.apache.kafka.common.errors.TransactionalIdAuthorizationException: Transactional Id authorization failed.'], 'builtin-kafka-authorization'],
    [['org.apache.kafka.common.errors.GroupAuthorizationException: Not authorized to access group: connect-orders'], 'builtin-kafka-authorization'],
    [['org.apache.kafka.common.errors.ClusterAuthorizationException: Cluster authorization failed.'], 'builtin-kafka-authorization'],
    [['org.apache.kafka.connect.errors.ConnectException: Failed to find any class that implements Connector and which name matches io.debezium.connector.mysql.MySqlConnector, available connectors are: []'], 'builtin-plugin-not-found'],
    [['org.apache.kafka.connect.errors.ConnectException: Failed to start task', 'java.lang.NoClassDefFoundError: org/apache/avro/Schema', 'java.lang.ClassNotFoundException: org.apache.avro.Schema'], 'builtin-class-loading'],
    [['java.lang.NoSuchMethodError: \'void com.fasterxml.jackson.databind.ObjectMapper.foo()\''], 'builtin-class-loading'],
    [['org.apache.kafka.connect.errors.ConnectException: java.sql.SQLException: No suitable driver found for jdbc:postgresql://db:5432/orders'], 'builtin-jdbc-driver-missing'],
    [['org.apache.kafka.connect.errors.ConnectException: Error while connecting', 'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "connect"'], 'builtin-postgresql-authentication'],
    [['org.apache.kafka.connect.errors.ConnectException: Error while connecting', 'org.postgresql.util.PSQLException: FATAL: no pg_hba.conf entry for host "10.0.0.7", user "connect", database "orders", SSL off'], 'builtin-postgresql-authentication'],
    [['org.apache.kafka.connect.errors.ConnectException: Error reading MySQL variables', 'java.sql.SQLException: Access denied for user \'connect\'@\'10.0.0.7\' (using password: YES)'], 'builtin-mysql-access-denied'],
    [['org.apache.kafka.connect.errors.ConnectException: Error', 'java.sql.SQLInvalidAuthorizationSpecException: Access denied'], 'builtin-jdbc-invalid-authorization'],
    [['org.apache.kafka.connect.errors.ConnectException: Error', 'java.sql.SQLException: ORA-01017: invalid username/password; logon denied'], 'builtin-oracle-invalid-credentials'],
    [['org.apache.kafka.connect.errors.ConnectException: Error', 'com.microsoft.sqlserver.jdbc.SQLServerException: Login failed for user \'connect\'.'], 'builtin-sqlserver-login-failed'],
    [['org.apache.kafka.connect.errors.ConnectException: Error', 'com.microsoft.sqlserver.jdbc.SQLServerException: Cannot open database "orders" requested by the login. The login failed. Login failed for user \'connect\'.'], 'builtin-sqlserver-database-unavailable'],
    [['org.apache.kafka.connect.errors.ConnectException: Error', 'org.postgresql.util.PSQLException: ERROR: permission denied for table orders'], 'builtin-database-permission-denied'],
    [['com.mongodb.MongoSecurityException: Exception authenticating MongoCredential{mechanism=SCRAM-SHA-256, userName=\'connect\', source=\'admin\'}', 'com.mongodb.MongoCommandException: Command failed with error 18 (AuthenticationFailed)'], 'builtin-mongodb-authentication'],
    [['org.apache.kafka.connect.errors.ConnectException: The connector is trying to read binlog starting at binlog file \'mysql-bin.000492\', pos=976732, skipping 2 events plus 1 rows, but this is no longer available on the server. Reconfigure the connector to use a snapshot when needed.'], 'builtin-debezium-log-position-lost'],
    [['org.apache.kafka.connect.errors.ConnectException: Error', 'io.debezium.DebeziumException: The db history topic or its content is fully or partially missing. Please check database schema history topic configuration and re-execute the snapshot.'], 'builtin-debezium-schema-history-missing'],
    [['org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler', 'org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed due to serialization error: ', 'org.apache.kafka.common.errors.SerializationException: Unknown magic byte!'], 'builtin-poison-record'],
    [['org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler', 'org.apache.kafka.connect.errors.DataException: Failed to serialize Avro data', 'org.apache.kafka.common.errors.SerializationException: Error registering Avro schema', 'java.net.SocketTimeoutException: connect timed out'], undefined],
    [['org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask due to unrecoverable exception.', 'org.apache.kafka.connect.errors.RetriableException: java.net.ConnectException: Connection refused'], undefined],
    [['org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired before the position for partition orders-0 could be determined'], undefined],
  ])('%j → %s', (lines, expected) => {
    expect(ruleNameFor(subjectOf(lines))).toBe(expected);
  });

  it.each([
    ['status/06-debezium-sqlserver-task-failed-no-cdc-role.json', ['builtin-database-permission-denied']],
    ['expand/11-replicator-expand-status-task-failed.json', ['builtin-record-too-large']],
    ['status/01-ak2.5-elasticsearch-sink-task-failed.json', [undefined]],
    ['status/02-ak2.1-jdbc-sink-two-tasks-failed-legacy-key-order.json', [undefined, undefined]],
    ['status/08-sftp-source-connector-failed-no-tasks.json', [undefined]],
    ['fragments/16-oracle-cdc-task-object-failed.json', [undefined]],
    ['task-status/14-ak1.x-task-status-failed-legacy-key-order.json', [undefined]],
  ])('captured %s matches %j', (path, expected) => {
    expect(tracesIn(path).map((trace) => ruleNameFor(subjectOfTrace(trace)))).toEqual(expected);
  });

  it('leave transient failures in a captured mixed response to restarts', () => {
    const names = tracesIn('status/03-cp5.5-replicator-10-tasks-mixed-failed.json').map((trace) => ruleNameFor(subjectOfTrace(trace)));
    expect(names.length).toBeGreaterThan(3);
    expect(names.every((name) => name === undefined)).toBe(true);
  });

  it('come after user rules, so a user rule can restart what a built-in rule would not', () => {
    const overriding = policyOf({ rules: [{ name: 'retry-auth', match: { rootCauses: ['*.PSQLException'] }, action: 'restart' }] });
    const subject = subjectOf(['org.apache.kafka.connect.errors.ConnectException: Error', 'org.postgresql.util.PSQLException: FATAL: password authentication failed for user "connect"']);
    expect(ruleFor(overriding, subject)).toMatchObject({ name: 'retry-auth', action: 'restart', builtin: false });
  });

  it('can be switched off', () => {
    const none = policyOf({ builtinRules: false });
    expect(ruleFor(none, subjectOf(['org.apache.kafka.common.config.ConfigException: Missing required configuration']))).toBeUndefined();
  });
});
