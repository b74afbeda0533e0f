// Every captured Kafka Connect response in test/fixtures/connect-samples, decoded, with the values asserted.
// (The HTTP captures are also replayed byte for byte to the client in client-replay.test.ts.)

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeConnectorInfo,
  decodeConnectorListing,
  decodeConnectorStatus,
  decodeErrorBody,
  decodeHealth,
  decodePlugins,
  decodeTaskStatus,
  decodeWorkerInfo,
  parseJsonBody,
} from '../../src/connect/decode.ts';
import { parseWorkerVersion, supports } from '../../src/connect/kafka-version.ts';
import type { ConnectorStatus } from '../../src/domain/model.ts';
import { captureBody, sample, SAMPLES } from '../connect/captures.ts';


function json(path: string): unknown {
  return parseJsonBody(sample(path));
}

const CONNECT_EXCEPTION = 'org.apache.kafka.connect.errors.ConnectException';

function failureClasses(status: { tasks: ConnectorStatus['tasks'] }): Array<[number, string, string, string]> {
  return status.tasks.map((t) => [t.id, t.state, t.failure?.exception ?? '-', t.failure?.rootCause ?? '-']);
}

describe('status/ (GET /connectors/{name}/status)', () => {
  it('00 doc example: no type field', () => {
    const status = decodeConnectorStatus(json('status/00-docs-example-status-running.json'));
    expect(status).toEqual({
      name: 'file-source',
      type: 'unknown',
      connectorClass: '',
      state: 'running',
      workerId: '192.168.1.208:8083',
      tasks: [{ id: 0, state: 'running', workerId: '192.168.1.209:8083' }],
    });
  });

  it('01 AK 2.5 Elasticsearch sink: RUNNING connector, FAILED task', () => {
    const status = decodeConnectorStatus(json('status/01-ak2.5-elasticsearch-sink-task-failed.json'));
    expect([status.name, status.type, status.state, status.workerId]).toEqual(['test-connector', 'sink', 'running', 'connect:8088']);
    expect(failureClasses(status)).toEqual([[0, 'failed', CONNECT_EXCEPTION, CONNECT_EXCEPTION]]);
    expect(status.tasks[0]?.failure?.trace.endsWith('BulkProcessor.java:370)\n')).toBe(true);
  });

  it('02 AK 2.1 JDBC sink: legacy key order, multi-line message inside a cause', () => {
    const status = decodeConnectorStatus(json('status/02-ak2.1-jdbc-sink-two-tasks-failed-legacy-key-order.json'));
    expect([status.name, status.type, status.state]).toEqual(['jdbc-sink', 'sink', 'running']);
    expect(failureClasses(status)).toEqual([
      [0, 'failed', CONNECT_EXCEPTION, 'java.sql.SQLException'],
      [1, 'failed', CONNECT_EXCEPTION, 'java.sql.SQLException'],
    ]);
    expect(status.tasks.map((t) => t.workerId)).toEqual(['connect-1:8083', 'connect-1:8083']);
  });

  it('03 CP 5.5 Replicator: ten tasks, mixed states, a message-only trace', () => {
    const status = decodeConnectorStatus(json('status/03-cp5.5-replicator-10-tasks-mixed-failed.json'));
    expect([status.name, status.type, status.state]).toEqual(['replicator', 'source', 'running']);
    expect(status.tasks.map((t) => t.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(status.tasks.filter((t) => t.state === 'failed').map((t) => t.id)).toEqual([1, 3, 6, 7, 8, 9]);
    expect(status.tasks.filter((t) => t.state === 'running').every((t) => t.failure === undefined)).toBe(true);
    const timeout = 'org.apache.kafka.common.errors.TimeoutException';
    expect(failureClasses(status)[3]).toEqual([3, 'failed', timeout, timeout]);
    expect(failureClasses(status)[1]).toEqual([1, 'failed', CONNECT_EXCEPTION, CONNECT_EXCEPTION]);
  });

  it('04 SFTP sink: UNASSIGNED keeps the last worker id', () => {
    const status = decodeConnectorStatus(json('status/04-sftp-sink-unassigned-after-worker-restart.json'));
    expect([status.state, status.workerId]).toEqual(['unassigned', 'connect2:8083']);
    expect(status.tasks.map((t) => [t.id, t.state, t.workerId])).toEqual([
      [0, 'unassigned', 'connect2:8083'],
      [1, 'running', 'connect1:8083'],
      [2, 'unassigned', 'connect2:8083'],
      [3, 'running', 'connect1:8083'],
    ]);
  });

  it('06 Debezium SQL Server: root cause from the driver', () => {
    const status = decodeConnectorStatus(json('status/06-debezium-sqlserver-task-failed-no-cdc-role.json'));
    expect([status.name, status.type]).toEqual(['debezium-sqlserver-source', 'source']);
    expect(failureClasses(status)).toEqual([
      [0, 'failed', CONNECT_EXCEPTION, 'com.microsoft.sqlserver.jdbc.SQLServerException'],
    ]);
  });

  it('08 SFTP source: FAILED connector with its own trace and no tasks', () => {
    const status = decodeConnectorStatus(json('status/08-sftp-source-connector-failed-no-tasks.json'));
    expect([status.name, status.type, status.state, status.tasks]).toEqual(['sftp-source-csv', 'source', 'failed', []]);
    expect(status.failure?.exception).toBe(CONNECT_EXCEPTION);
    expect(status.failure?.rootCause).toBe(CONNECT_EXCEPTION);
  });

  it('10 RUNNING, no tasks, type unknown', () => {
    const status = decodeConnectorStatus(json('status/10-connector-running-no-tasks-type-unknown.json'));
    expect([status.name, status.type, status.state, status.workerId, status.tasks]).toEqual([
      'My Test Connector',
      'unknown',
      'running',
      '192.168.86.201:8083',
      [],
    ]);
  });

  it('10b AK 3.4 HTTP capture', () => {
    const capture = captureBody('status/10b-ak3.4-status-running-http-capture.txt');
    expect(capture.status).toBe(200);
    expect(Buffer.byteLength(capture.body)).toBe(177);
    const status = decodeConnectorStatus(parseJsonBody(capture.body));
    expect(status).toEqual({
      name: 'dwh.mydatabase.person',
      type: 'source',
      connectorClass: '',
      state: 'running',
      workerId: '172.20.0.4:8083',
      tasks: [{ id: 0, state: 'running', workerId: '172.20.0.4:8083' }],
    });
  });

  it('every file in status/ is covered', () => {
    expect(readdirSync(join(SAMPLES, 'status')).sort()).toEqual([
      '00-docs-example-status-running.json',
      '01-ak2.5-elasticsearch-sink-task-failed.json',
      '02-ak2.1-jdbc-sink-two-tasks-failed-legacy-key-order.json',
      '03-cp5.5-replicator-10-tasks-mixed-failed.json',
      '04-sftp-sink-unassigned-after-worker-restart.json',
      '06-debezium-sqlserver-task-failed-no-cdc-role.json',
      '08-sftp-source-connector-failed-no-tasks.json',
      '10-connector-running-no-tasks-type-unknown.json',
      '10b-ak3.4-status-running-http-capture.txt',
    ]);
  });
});

describe('task-status/ (GET /connectors/{name}/tasks/{id}/status)', () => {
  it('14 AK 1.x: legacy key order, NumberFormatException root cause', () => {
    const task = decodeTaskStatus(json('task-status/14-ak1.x-task-status-failed-legacy-key-order.json'));
    expect([task.id, task.state, task.workerId]).toEqual([0, 'failed', '192.168.86.201:8083']);
    expect([task.failure?.exception, task.failure?.rootCause]).toEqual([CONNECT_EXCEPTION, 'java.lang.NumberFormatException']);
  });
});

describe('expand/ (GET /connectors?expand=…)', () => {
  it('11 Replicator expand=status: RecordTooLargeException, no info so no class', () => {
    const listing = decodeConnectorListing(json('expand/11-replicator-expand-status-task-failed.json'));
    expect(listing.kind).toBe('expanded');
    if (listing.kind !== 'expanded') return;
    expect(listing.missing).toEqual([]);
    const [status] = listing.connectors;
    expect([status?.name, status?.type, status?.state, status?.workerId]).toEqual([
      'replicate-europe-to-us',
      'source',
      'running',
      'connect-us:8083',
    ]);
    // This capture does carry info (with its config): only connector.class survives.
    expect(status?.connectorClass).toBe('io.confluent.connect.replicator.ReplicatorSourceConnector');
    expect(JSON.stringify(listing)).not.toContain('bootstrap');
    expect(failureClasses({ tasks: status?.tasks ?? [] })).toEqual([
      [0, 'failed', CONNECT_EXCEPTION, 'org.apache.kafka.common.errors.RecordTooLargeException'],
    ]);
  });

  it('13 expand=info&expand=status fixture: classes from info, hand-edited traces yield no classes', () => {
    const listing = decodeConnectorListing(json('expand/13-expand-info-and-status-fixture.json'));
    if (listing.kind !== 'expanded') throw new Error('expected the expanded shape');
    expect(listing.connectors.map((c) => [c.name, c.connectorClass, c.type, c.state])).toEqual([
      ['MyTestConnector', 'org.apache.kafka.connect.tools.VerifiableSourceConnector', 'source', 'running'],
      ['MyTestConnector2', 'org.apache.kafka.connect.tools.SomeOtherConnectorClass', 'source', 'running'],
    ]);
    expect(listing.connectors[0]?.tasks.map((t) => [t.id, t.state, t.failure?.exception])).toEqual([
      [0, 'failed', ''],
      [1, 'running', ''],
      [2, 'paused', ''],
    ]);
    expect(JSON.stringify(listing)).not.toContain('tasks.max');
  });
});

describe('fragments/', () => {
  it('15 Oracle XStream tasks array: blank lines inside the cause message', () => {
    const status = decodeConnectorStatus(
      parseJsonBody(`{"name":"oracle-xstream","connector":{"state":"RUNNING","worker_id":"connect:8083"},${sample('fragments/15-oracle-xstream-cdc-tasks-array-fragment.txt')}]}`),
    );
    expect(failureClasses(status)).toEqual([[0, 'failed', CONNECT_EXCEPTION, 'oracle.streams.StreamsException']]);
  });

  it('16 Oracle CDC task object: two causes deep', () => {
    const task = decodeTaskStatus(json('fragments/16-oracle-cdc-task-object-failed.json'));
    expect([task.id, task.state, task.workerId]).toEqual([1, 'failed', 'connect:8083']);
    expect([task.failure?.exception, task.failure?.rootCause]).toEqual([
      CONNECT_EXCEPTION,
      'org.apache.kafka.connect.errors.SchemaBuilderException',
    ]);
  });
});

describe('root/ (GET / and GET /health)', () => {
  it('17 AK 2.1.1 server info', () => {
    const info = decodeWorkerInfo(json('root/17-ak2.1.1-server-info.json'));
    expect(info).toEqual({ version: '2.1.1', commit: '21234bee31165527', kafkaClusterId: 'Fo2ySm4CT1Wvz4Kvm2jIhw' });
    const version = parseWorkerVersion(info.version);
    expect(version?.kafka).toEqual({ major: 2, minor: 1 });
    expect(supports(version, 'expand')).toBe(false);
    expect(supports(version, 'restartPlan')).toBe(false);
  });

  it('17b AK 3.9.0 server info', () => {
    const info = decodeWorkerInfo(json('root/17b-ak3.9.0-server-info.json'));
    expect(info).toEqual({ version: '3.9.0', commit: 'a60e31147e6b01ee', kafkaClusterId: '_xIIeVIOQMKXimv_l96WtQ' });
    const version = parseWorkerVersion(info.version);
    expect([supports(version, 'expand'), supports(version, 'stoppedState'), supports(version, 'health')]).toEqual([true, true, true]);
  });

  it('31 AK 3.9 /health 200', () => {
    expect(decodeHealth(json('root/31-ak3.9-health-200-healthy.json'))).toEqual({
      status: 'healthy',
      message: 'Worker has completed startup and is ready to handle requests.',
    });
  });
});

describe('errors/', () => {
  it('18 404 connector not found', () => {
    expect(decodeErrorBody(sample('errors/18-404-connector-not-found.json'))).toEqual({
      errorCode: 404,
      message: 'Connector DoesNotExist not found',
    });
  });

  it('19 500 request timed out (pre-3.7)', () => {
    expect(decodeErrorBody(sample('errors/19-500-request-timed-out-pre-3.7.json'))).toEqual({
      errorCode: 500,
      message: 'Request timed out',
    });
  });

  it('20 basic-auth 401: plain text served as application/json is no Connect error body', () => {
    const capture = captureBody('errors/20-401-basic-auth-http-capture.txt');
    expect([capture.status, capture.headers['content-type'], capture.body]).toEqual([
      401,
      'application/json',
      'User cannot access the resource.',
    ]);
    expect(decodeErrorBody(capture.body)).toBeUndefined();
  });

  it('21 unknown path 404 and 22 wrong method 405: JSON without a Content-Type', () => {
    const notFound = captureBody('errors/21-404-unknown-path-http-capture.txt');
    expect(notFound.headers['content-type']).toBeUndefined();
    expect(decodeErrorBody(notFound.body)).toEqual({ errorCode: 404, message: 'HTTP 404 Not Found' });
    const wrongMethod = captureBody('errors/22-405-wrong-method-http-capture.txt');
    expect(decodeErrorBody(wrongMethod.body)).toEqual({ errorCode: 405, message: 'HTTP 405 Method Not Allowed' });
  });

  it('23 Jetty HTML 404 during startup is no Connect error body', () => {
    const html = sample('errors/23-404-html-during-startup-jetty-default.html');
    expect(decodeErrorBody(html)).toBeUndefined();
    expect(() => parseJsonBody(html)).toThrow('the body is not JSON');
  });
});

describe('misc/', () => {
  it('25 AK 1.0 connector plugins', () => {
    expect(decodePlugins(json('misc/25-ak1.0-connector-plugins.json'))).toEqual([
      { class: 'org.apache.kafka.connect.file.FileStreamSinkConnector', type: 'sink', version: '1.0.0-cp1' },
      { class: 'org.apache.kafka.connect.file.FileStreamSourceConnector', type: 'source', version: '1.0.0-cp1' },
    ]);
  });

  it('26 connector info with type unknown: only name, type and class are kept', () => {
    expect(decodeConnectorInfo(json('misc/26-connector-info-type-unknown.json'))).toEqual({
      name: 'My Test Connector',
      type: 'unknown',
      connectorClass: 'org.apache.kafka.connect.tools.MockConnector',
    });
  });

  it('29 AK 2.5 POST /connectors body has the connector info shape', () => {
    expect(decodeConnectorInfo(json('misc/29-ak2.5-post-connectors-201-response-body.json'))).toEqual({
      name: 'test-connector',
      type: 'sink',
      connectorClass: 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    });
  });
});
