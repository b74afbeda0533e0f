// The rules connect-sentinel ships: errors that a restart cannot fix, so automation should not spend a budget on
// them but page a human at once (the target is reported `exhausted`). They apply after the user's rules, so any of
// them can be overridden by a user rule that matches first (with `action: restart`), or all of them switched off
// with `builtinRules: false`. A rule with `action: restart` here carves an exception out of a later `never` rule.
//
// Matching notes: `exceptions` is the class of the trace's first line, `rootCauses` the class of the deepest
// `Caused by:`; a class can also sit in the middle of the chain, so rules about a class anywhere use
// `traceContains` with the fully qualified name. Connect wraps most task failures in a generic ConnectException,
// which by itself says nothing: rules never match on it alone.

import { BUILTIN_RULE_PREFIX, type RestartRuleMatch } from '../config/restart-section.ts';

export interface BuiltinRule {
  name: string;
  action: 'restart' | 'never';
  /** Why a restart cannot help (or, for exceptions, why it can): shown in docs/auto-restart.md. */
  why: string;
  match: RestartRuleMatch;
}

function rule(name: string, action: BuiltinRule['action'], why: string, match: Partial<RestartRuleMatch>): BuiltinRule {
  return { name: `${BUILTIN_RULE_PREFIX}${name}`, action, why, match: { targets: 'any', ...match } };
}

export const BUILTIN_RULES: readonly BuiltinRule[] = [
  // --- Exceptions first: failures that look permanent by class but are transient. ---
  rule(
    'unresolvable-bootstrap-servers',
    'restart',
    'Kafka clients throw ConfigException "No resolvable bootstrap urls" when DNS cannot resolve any bootstrap ' +
      'server right now (a DNS outage, a Kubernetes service not yet created); a later restart resolves again.',
    { traceContains: ['No resolvable bootstrap urls given in bootstrap.servers'] },
  ),
  rule(
    'sqlserver-database-unavailable',
    'restart',
    'SQL Server error 4060 "Cannot open database … requested by the login. The login failed." also occurs while a ' +
      'database recovers or an availability group fails over; it must not fall under the login-failure rule below.',
    { traceContains: ['Cannot open database'] },
  ),

  // --- Configuration: Connect restarts a connector itself when its config is changed, so a fix needs no help. ---
  rule(
    'config-exception',
    'never',
    'org.apache.kafka.common.config.ConfigException is thrown when a configuration value is missing or invalid; ' +
      'the same config fails the same way on every restart.',
    { traceContains: ['org.apache.kafka.common.config.ConfigException'] },
  ),

  // --- Kafka authentication and authorization: credentials and ACLs do not change by restarting. ---
  rule(
    'kafka-authentication',
    'never',
    'SslAuthenticationException (an untrusted or expired certificate) and the base AuthenticationException mean the ' +
      'broker rejected the client; retrying can lock accounts or flood audit logs.',
    {
      traceContains: ['org.apache.kafka.common.errors.SslAuthenticationException', 'org.apache.kafka.common.errors.AuthenticationException'],
    },
  ),
  rule(
    'kafka-sasl-invalid-credentials',
    'never',
    'A SaslAuthenticationException is permanent only when the broker says the credentials are wrong (PLAIN, SCRAM) ' +
      'or the mechanism is not enabled. Others are transient and restarted: AWS MSK IAM answers "Too many connects" ' +
      'under connection storms, and "Failed to find AWS IAM Credentials" while the credentials provider refreshes.',
    {
      traceContains: [
        'SaslAuthenticationException: Authentication failed during authentication due to invalid credentials',
        'SaslAuthenticationException: Authentication failed: Invalid username or password',
        'UnsupportedSaslMechanismException',
      ],
    },
  ),
  rule(
    'kafka-authorization',
    'never',
    'TopicAuthorizationException, GroupAuthorizationException, ClusterAuthorizationException, ' +
      'TransactionalIdAuthorizationException and the other AuthorizationExceptions mean an ACL denies the principal; ' +
      'only an ACL change fixes it.',
    {
      traceContains: [
        'org.apache.kafka.common.errors.TopicAuthorizationException',
        'org.apache.kafka.common.errors.GroupAuthorizationException',
        'org.apache.kafka.common.errors.ClusterAuthorizationException',
        'org.apache.kafka.common.errors.TransactionalIdAuthorizationException',
        'org.apache.kafka.common.errors.DelegationTokenAuthorizationException',
        'org.apache.kafka.common.errors.AuthorizationException',
      ],
    },
  ),

  // --- Missing or incompatible plugins: the worker's plugin path and class loaders stay as they are. ---
  rule(
    'plugin-not-found',
    'never',
    '"Failed to find any class that implements Connector" means the connector class is not on this worker\'s ' +
      'plugin.path; a restart loads from the same path.',
    { traceContains: ['Failed to find any class that implements'] },
  ),
  rule(
    'class-loading',
    'never',
    'ClassNotFoundException, NoClassDefFoundError (including "Could not initialize class", which a class whose static ' +
      'initialiser failed keeps throwing for the life of its class loader), NoSuchMethodError, AbstractMethodError and ' +
      'UnsupportedClassVersionError mean missing or incompatible jars; the plugin class loader is the same after a restart.',
    {
      traceContains: [
        'java.lang.ClassNotFoundException',
        'java.lang.NoClassDefFoundError',
        'java.lang.NoSuchMethodError',
        'java.lang.NoSuchFieldError',
        'java.lang.AbstractMethodError',
        'java.lang.IncompatibleClassChangeError',
        'java.lang.UnsupportedClassVersionError',
      ],
    },
  ),
  rule(
    'jdbc-driver-missing',
    'never',
    'java.sql.SQLException "No suitable driver found for jdbc:…" means no JDBC driver for that URL is on the plugin path.',
    { traceContains: ['No suitable driver found for'] },
  ),

  // --- Database credentials, visible only in the message text. ---
  rule(
    'jdbc-invalid-authorization',
    'never',
    'java.sql.SQLInvalidAuthorizationSpecException is JDBC\'s class for SQLState class 28 (invalid authorization).',
    { traceContains: ['java.sql.SQLInvalidAuthorizationSpecException'] },
  ),
  rule(
    'postgresql-authentication',
    'never',
    'PostgreSQL "password authentication failed for user" and "no pg_hba.conf entry for host" reject the login ' +
      'until the password or pg_hba.conf changes.',
    { traceContains: ['password authentication failed for user', 'no pg_hba.conf entry for host'] },
  ),
  rule(
    'mysql-access-denied',
    'never',
    'MySQL/MariaDB "Access denied for user" (errors 1044 and 1045: wrong password or missing privilege).',
    { traceContains: ['Access denied for user'] },
  ),
  rule(
    'oracle-invalid-credentials',
    'never',
    'Oracle ORA-01017 (invalid username/password; logon denied). Repeated attempts can also lock the account (ORA-28000).',
    { traceContains: ['ORA-01017'] },
  ),
  rule(
    'sqlserver-login-failed',
    'never',
    'SQL Server error 18456 "Login failed for user" (wrong password, disabled login). Transient 4060 failures are ' +
      'excepted above.',
    { traceContains: ['Login failed for user'] },
  ),
  rule(
    'database-permission-denied',
    'never',
    'SQL Server "The SELECT permission was denied on the object" (seen with Debezium when the CDC role is missing) ' +
      'and PostgreSQL "permission denied for table|schema|database": only a GRANT fixes it.',
    { traceContains: ['permission was denied on the object', 'permission denied for '] },
  ),
  rule(
    'mongodb-authentication',
    'never',
    'com.mongodb.MongoSecurityException is what the MongoDB driver throws when authentication fails.',
    { traceContains: ['com.mongodb.MongoSecurityException'] },
  ),

  // --- Lost positions and poison records: the task resumes from the same offset and meets the same problem. ---
  rule(
    'debezium-log-position-lost',
    'never',
    'Debezium "… but this is no longer available on the server": the binlog/WAL/redo position in the stored offsets ' +
      'was purged; a restart resumes from the same offset. It needs a new snapshot or an offset reset.',
    { traceContains: ['but this is no longer available on the server'] },
  ),
  rule(
    'debezium-schema-history-missing',
    'never',
    'Debezium "The db history topic or its content is fully or partially missing": the schema history cannot be ' +
      'rebuilt by restarting; it needs a new snapshot.',
    { traceContains: ['The db history topic or its content is fully or partially missing'] },
  ),
  rule(
    'record-too-large',
    'never',
    'RecordTooLargeException: a record exceeds max.request.size (or the topic\'s max.message.bytes); the same record ' +
      'is produced again after a restart.',
    { rootCauses: ['org.apache.kafka.common.errors.RecordTooLargeException'] },
  ),
  rule(
    'poison-record',
    'never',
    '"Tolerance exceeded in error handler" whose deepest cause is a DataException or SerializationException: a record ' +
      'cannot be converted or transformed and errors.tolerance is none; a sink re-reads it from the last committed ' +
      'offset after a restart. Transient causes (a Schema Registry timeout) have a network exception as their deepest ' +
      'cause and do not match.',
    {
      traceContains: ['Tolerance exceeded in error handler'],
      rootCauses: ['org.apache.kafka.connect.errors.DataException', 'org.apache.kafka.common.errors.SerializationException'],
    },
  ),
];
