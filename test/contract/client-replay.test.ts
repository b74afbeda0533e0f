// The captured HTTP responses in test/fixtures/connect-samples replayed byte for byte (status line, headers as
// captured, body) to the real client over loopback, so what reaches the client is exactly what Connect sent.

import { afterEach, describe, expect, it } from 'vitest';
import { createConnectClient } from '../../src/connect/client.ts';
import { ConnectHttpError } from '../../src/errors.ts';
import { captureBody, captureStatusLine, sample } from '../connect/captures.ts';
import { startRawServer, type TestServer } from '../connect/raw-server.ts';
import { captureLog } from '../support/log-capture.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Reply {
  statusLine: string;
  headerLines: string[];
  body: string;
}

function fromCapture(path: string): Reply {
  const capture = captureBody(path);
  return { statusLine: captureStatusLine(path), headerLines: capture.headerLines, body: capture.body };
}

function json(status: string, body: string): Reply {
  return { statusLine: `HTTP/1.1 ${status}`, headerLines: ['Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`], body };
}

/** Answers each request line (`GET /path`) from the table; anything else is a test bug and gets a 599. */
async function replay(routes: Record<string, Reply>): Promise<TestServer> {
  const server = await startRawServer((socket, head) => {
    const [method, path] = head.split(' ');
    const reply = routes[`${method} ${path}`] ?? json('599 Unexpected', '{}');
    socket.write(`${reply.statusLine}\r\n${reply.headerLines.join('\r\n')}\r\n\r\n`);
    socket.write(Buffer.from(reply.body, 'utf8'));
  });
  cleanups.push(() => server.close());
  return server;
}

function client(...urls: string[]) {
  const created = createConnectClient({ cluster: 'replay', urls, logger: captureLog().logger, timeoutMs: 5_000 });
  cleanups.push(() => created.close());
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectHttpError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectHttpError);
  return err as ConnectHttpError;
}

describe('captured responses replayed to the client', () => {
  it('10b AK 3.4 status capture, read through the per-connector mode', async () => {
    const server = await replay({
      'GET /connectors?expand=status&expand=info': json('200 OK', '["dwh.mydatabase.person"]'),
      'GET /connectors/dwh.mydatabase.person/status': fromCapture('status/10b-ak3.4-status-running-http-capture.txt'),
      'GET /connectors/dwh.mydatabase.person': json('200 OK', sample('misc/26-connector-info-type-unknown.json')),
    });
    const poll = await client(server.url).pollStatus();
    expect(poll).toEqual({
      mode: 'per-connector',
      workerUrl: server.url,
      missingStatus: [],
      connectors: [
        {
          name: 'dwh.mydatabase.person',
          type: 'source',
          connectorClass: 'org.apache.kafka.connect.tools.MockConnector',
          state: 'running',
          workerId: '172.20.0.4:8083',
          tasks: [{ id: 0, state: 'running', workerId: '172.20.0.4:8083' }],
        },
      ],
    });
  });

  it('11 expand capture served as the expanded poll', async () => {
    const server = await replay({
      'GET /connectors?expand=status&expand=info': json('200 OK', sample('expand/11-replicator-expand-status-task-failed.json')),
    });
    const poll = await client(server.url).pollStatus();
    expect(poll.mode).toBe('expanded');
    expect(poll.connectors[0]?.tasks[0]?.failure?.rootCause).toBe('org.apache.kafka.common.errors.RecordTooLargeException');
  });

  it('20 basic-auth 401: plain text labelled application/json', async () => {
    const server = await replay({
      'GET /connectors?expand=status&expand=info': fromCapture('errors/20-401-basic-auth-http-capture.txt'),
    });
    const err = await rejection(client(server.url).pollStatus());
    expect([err.status, err.errorCode, err.connectMessage, err.retriable]).toEqual([401, undefined, null, false]);
    expect(err.message).not.toContain('User cannot');
  });

  it('21 JAX-RS 404 without Content-Type: /health is unsupported (before 3.9)', async () => {
    const server = await replay({ 'GET /health': fromCapture('errors/21-404-unknown-path-http-capture.txt') });
    expect(await client(server.url).getHealth()).toEqual({ status: 'unsupported', message: '' });
  });

  it('22 405 without Content-Type', async () => {
    const server = await replay({
      'POST /connectors/c/tasks/0/restart': fromCapture('errors/22-405-wrong-method-http-capture.txt'),
    });
    const err = await rejection(client(server.url).restartTask('c', 0));
    expect([err.status, err.errorCode, err.connectMessage]).toEqual([405, 405, 'HTTP 405 Method Not Allowed']);
  });

  it('23 Jetty HTML 404 while a worker starts: the next worker is asked', async () => {
    const html = sample('errors/23-404-html-during-startup-jetty-default.html');
    const starting = await replay({
      'GET /connector-plugins': {
        statusLine: 'HTTP/1.1 404 Not Found',
        headerLines: ['Content-Type: text/html;charset=iso-8859-1', `Content-Length: ${Buffer.byteLength(html)}`],
        body: html,
      },
    });
    const ready = await replay({ 'GET /connector-plugins': json('200 OK', sample('misc/25-ak1.0-connector-plugins.json')) });
    expect(await client(starting.url, ready.url).getPlugins()).toHaveLength(2);
    const alone = await rejection(client(starting.url).getPlugins());
    expect([alone.status, alone.errorCode]).toEqual([404, undefined]);
  });

  it('18 and 19 Connect JSON errors', async () => {
    const server = await replay({
      'GET /connectors?expand=status&expand=info': json('500 Internal Server Error', sample('errors/19-500-request-timed-out-pre-3.7.json')),
      'POST /connectors/DoesNotExist/restart?includeTasks=true&onlyFailed=true': json('404 Not Found', sample('errors/18-404-connector-not-found.json')),
    });
    const connect = client(server.url);
    const timeout = await rejection(connect.pollStatus());
    expect([timeout.status, timeout.connectMessage, timeout.retriable]).toEqual([500, 'Request timed out', true]);
    const missing = await rejection(connect.restartConnector('DoesNotExist', { includeTasks: true, onlyFailed: true }));
    expect([missing.status, missing.connectMessage]).toEqual([404, 'Connector DoesNotExist not found']);
  });

  it('17b and 31: GET / and /health of AK 3.9', async () => {
    const server = await replay({
      'GET /': json('200 OK', sample('root/17b-ak3.9.0-server-info.json')),
      'GET /health': json('200 OK', sample('root/31-ak3.9-health-200-healthy.json')),
    });
    const connect = client(server.url);
    expect((await connect.getWorkerInfo()).version).toBe('3.9.0');
    expect((await connect.getHealth()).status).toBe('healthy');
  });
});
