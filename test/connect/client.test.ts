import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectClient, type ConnectClient, type ConnectClientOptions } from '../../src/connect/client.ts';
import { CONNECT_ENDPOINTS, type ConnectEndpoint } from '../../src/domain/endpoint.ts';
import {
  ConnectDecodeError,
  ConnectHttpError,
  ConnectTooLargeError,
  ConnectUnreachableError,
  isSentinelError,
} from '../../src/errors.ts';
import { refusedUrl, sendJson, startHttpServer, startRawServer, type TestServer } from './raw-server.ts';
import { captureLog } from '../support/log-capture.ts';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function server(handler: Parameters<typeof startHttpServer>[0]): Promise<TestServer> {
  const started = await startHttpServer(handler);
  cleanups.push(() => started.close());
  return started;
}

function client(options: Partial<ConnectClientOptions> & { urls: string[] }): ConnectClient {
  const created = createConnectClient({ cluster: 'test', logger: captureLog().logger, timeoutMs: 2_000, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

function statusBody(name: string, state = 'RUNNING'): Record<string, unknown> {
  return {
    name,
    connector: { state, worker_id: 'w1:8083' },
    tasks: [{ id: 0, state, worker_id: 'w1:8083' }],
    type: 'source',
  };
}

const HTML_404 = '<html><head><title>Error 404 Not Found</title></head><body><h2>HTTP ERROR 404 Not Found</h2></body></html>\n';

function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/html;charset=iso-8859-1'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

describe('pollStatus, expanded', () => {
  it('sends exactly one request with expand repeated, never comma-separated', async () => {
    const worker = await server((_req, res) =>
      sendJson(res, 200, {
        b: { status: statusBody('b', 'FAILED'), info: { name: 'b', config: { 'connector.class': 'x.B', 'secret.key': 's3cr3t' }, type: 'source' } },
        a: { status: statusBody('a'), info: null },
        starting: {},
      }),
    );
    const poll = await client({ urls: [worker.url] }).pollStatus();
    expect(worker.requests).toHaveLength(1);
    const request = worker.requests[0];
    expect(request?.method).toBe('GET');
    const url = new URL(request?.url ?? '', 'http://x');
    expect(url.pathname).toBe('/connectors');
    expect(url.searchParams.getAll('expand')).toEqual(['status', 'info']);
    expect(request?.url).not.toContain(',');
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers.authorization).toBeUndefined();
    expect(poll.mode).toBe('expanded');
    expect(poll.workerUrl).toBe(worker.url);
    expect(poll.missingStatus).toEqual(['starting']);
    expect(poll.connectors.map((c) => [c.name, c.state, c.connectorClass])).toEqual([
      ['a', 'running', ''],
      ['b', 'failed', 'x.B'],
    ]);
    expect(JSON.stringify(poll)).not.toContain('s3cr3t');
  });

  it('fails with a decode error naming the cluster, endpoint and problem for a body of the wrong shape', async () => {
    const worker = await server((_req, res) => sendJson(res, 200, 'oops'));
    const err = await failure(client({ urls: [worker.url] }).pollStatus());
    expect(err).toBeInstanceOf(ConnectDecodeError);
    expect((err as ConnectDecodeError).message).toBe(
      `Kafka Connect cluster "test", connectors on ${worker.url}: expected an object or an array at the top level, got string`,
    );
  });

  it('reads the info (each connector class) with the first poll and for a connector it has not seen, statuses alone otherwise', async () => {
    let connectors = ['a'];
    const worker = await server((req, res) => {
      const withInfo = new URL(req.url ?? '', 'http://x').searchParams.getAll('expand').includes('info');
      const entry = (name: string) => ({ status: statusBody(name), ...(withInfo ? { info: { name, config: { 'connector.class': `x.${name}` }, type: 'source' } } : {}) });
      sendJson(res, 200, Object.fromEntries(connectors.map((name) => [name, entry(name)])));
    });
    const connect = client({ urls: [worker.url] });
    const classes = async () => (await connect.pollStatus()).connectors.map((c) => [c.name, c.connectorClass]);
    expect(await classes()).toEqual([['a', 'x.a']]);
    expect(await classes()).toEqual([['a', 'x.a']]);
    connectors = ['a', 'b'];
    expect(await classes()).toEqual([['a', 'x.a'], ['b', 'x.b']]);
    expect(await classes()).toEqual([['a', 'x.a'], ['b', 'x.b']]);
    // One request per poll, but for the one where b appeared: its status-only answer is followed by one with the info.
    expect(worker.requests.map((r) => r.url)).toEqual([
      '/connectors?expand=status&expand=info',
      '/connectors?expand=status',
      '/connectors?expand=status',
      '/connectors?expand=status&expand=info',
      '/connectors?expand=status',
    ]);
  });

  it('preserves a base path for workers behind a reverse proxy', async () => {
    const worker = await server((_req, res) => sendJson(res, 200, {}));
    await client({ urls: [`${worker.url}/connect/`] }).pollStatus();
    expect(worker.requests[0]?.url).toBe('/connect/connectors?expand=status&expand=info');
  });
});

describe('pollStatus, per connector (before Kafka 2.3)', () => {
  /** A pre-2.3 worker: ignores expand; holds status answers until `limit` are waiting, so the peak is exact. */
  async function legacyWorker(names: string[], limit: number) {
    let inFlight = 0;
    let peak = 0;
    let held: Array<() => void> = [];
    let released = 0;
    const failInfo = new Set<string>(['flaky']);
    const worker = await server((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '', 'http://x').pathname);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      const answer = (status: number, body: unknown) => {
        inFlight -= 1;
        sendJson(res, status, body);
      };
      if (path === '/connectors') {
        released = 0;
        return answer(200, names);
      }
      const status = /^\/connectors\/(.+)\/status$/.exec(path);
      if (status !== null) {
        const name = status[1] ?? '';
        held.push(() =>
          name === 'gone'
            ? answer(404, { error_code: 404, message: `No status found for connector ${name}` })
            : answer(200, statusBody(name)),
        );
        if (held.length === Math.min(limit, names.length - released)) {
          const release = held;
          held = [];
          released += release.length;
          for (const send of release) send();
        }
        return;
      }
      const name = /^\/connectors\/(.+)$/.exec(path)?.[1] ?? '';
      if (failInfo.has(name)) {
        failInfo.delete(name);
        return answer(500, { error_code: 500, message: 'Request timed out' });
      }
      return answer(200, { name, config: { 'connector.class': `x.${name.replace(/\W/g, '')}`, password: 'pw' }, tasks: [], type: 'source' });
    });
    return { worker, peak: () => peak };
  }

  it('reads each status with bounded concurrency and the class once per connector', async () => {
    const names = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    names.push('a b/c', 'flaky', 'gone');
    const { worker, peak } = await legacyWorker(names, 3);
    const connect = client({ urls: [worker.url], legacyConcurrency: 3 });

    const first = await connect.pollStatus();
    expect(peak()).toBe(3);
    expect(first.mode).toBe('per-connector');
    expect(first.missingStatus).toEqual(['gone']);
    expect(first.connectors.map((c) => c.name)).toEqual([...names.filter((n) => n !== 'gone')].sort());
    const byName = new Map(first.connectors.map((c) => [c.name, c]));
    expect(byName.get('a b/c')?.connectorClass).toBe('x.abc');
    expect(byName.get('flaky')?.connectorClass).toBe('');
    expect(byName.get('c00')?.state).toBe('running');
    expect(worker.requests.map((r) => r.url)).toContain('/connectors/a%20b%2Fc/status');
    expect(worker.requests.filter((r) => r.url === '/connectors?expand=status&expand=info')).toHaveLength(1);

    const before = worker.requests.length;
    const second = await connect.pollStatus();
    const infoRequests = worker.requests.slice(before).filter((r) => /^\/connectors\/[^/?]+$/.test(r.url));
    // Cached classes are not asked again; the one that failed is retried and now known.
    expect(infoRequests.map((r) => r.url)).toEqual(['/connectors/flaky']);
    expect(peak()).toBe(3);
    expect(second.connectors.find((c) => c.name === 'flaky')?.connectorClass).toBe('x.flaky');
  });

  it('fails the whole poll when the worker becomes unreachable midway', async () => {
    let statusRequests = 0;
    const worker = await startRawServer((socket, head) => {
      if (head.startsWith('GET /connectors?')) {
        const body = JSON.stringify(['a', 'b', 'c']);
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        return;
      }
      statusRequests += 1;
      socket.destroy();
    });
    cleanups.push(() => worker.close());
    const err = await failure(client({ urls: [worker.url], legacyConcurrency: 1 }).pollStatus());
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect((err as ConnectUnreachableError).context.endpoint).toBe('connector_status');
    expect(statusRequests).toBe(1);
  });
});

describe('failover across workers', () => {
  it('moves on after a connection error or a non-JSON 5xx, then starts with the worker that answered', async () => {
    const down = await refusedUrl();
    const proxyError = await server((_req, res) => sendText(res, 502, '<html>Bad Gateway</html>'));
    const healthy = await server((_req, res) => sendJson(res, 200, {}));
    const log = captureLog();
    const connect = client({ urls: [down, proxyError.url, healthy.url], logger: log.logger });

    expect((await connect.pollStatus()).workerUrl).toBe(healthy.url);
    expect(proxyError.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(1);

    await connect.pollStatus();
    await connect.getWorkerInfo().catch(() => undefined);
    expect(proxyError.requests).toHaveLength(1);
    expect(healthy.requests).toHaveLength(3);
    const warnings = log.lines().filter((line) => line.msg === 'Kafka Connect worker gave no answer; trying the next one');
    expect(warnings.map((line) => line.worker)).toEqual([down, proxyError.url]);
  });

  it('logs with the connect_cluster key, bound once even when the caller already bound it', async () => {
    const healthy = await server((_req, res) => sendJson(res, 200, {}));
    for (const bound of [false, true]) {
      const log = captureLog();
      const logger = bound ? log.logger.child({ connect_cluster: 'test' }) : log.logger;
      await client({ urls: [await refusedUrl(), healthy.url], logger }).pollStatus();
      const [line] = log.text().split('\n');
      expect(line?.match(/"connect_cluster"/g)).toHaveLength(1);
      expect(log.lines()[0]?.connect_cluster).toBe('test');
    }
  });

  it('moves on from Jetty\'s HTML 404 while a worker starts', async () => {
    const starting = await server((_req, res) => sendText(res, 404, HTML_404));
    const healthy = await server((_req, res) => sendJson(res, 200, { version: '3.9.0', commit: 'abc', kafka_cluster_id: 'k' }));
    const info = await client({ urls: [starting.url, healthy.url] }).getWorkerInfo();
    expect(info.version).toBe('3.9.0');
  });

  it('takes a Connect JSON error as the answer and asks no other worker', async () => {
    const busy = await server((_req, res) => sendJson(res, 500, { error_code: 500, message: 'Request timed out' }));
    const other = await server((_req, res) => sendJson(res, 200, {}));
    const err = await failure(client({ urls: [busy.url, other.url] }).pollStatus());
    expect(err).toBeInstanceOf(ConnectHttpError);
    expect((err as ConnectHttpError).status).toBe(500);
    expect((err as ConnectHttpError).retriable).toBe(true);
    expect(other.requests).toHaveLength(0);
  });

  it('throws the last failure when no worker answers', async () => {
    const err = await failure(client({ urls: [await refusedUrl(), await refusedUrl()] }).pollStatus());
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect((err as ConnectUnreachableError).causeCode).toBe('ECONNREFUSED');
    expect((err as ConnectUnreachableError).timeout).toBe(false);
  });

  it('never sends a restart twice: a POST moves on only when the request cannot have been sent', async () => {
    const broken = await server((_req, res) => sendText(res, 503, 'upstream unavailable', 'text/plain'));
    const second = await server((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const err = await failure(client({ urls: [broken.url, second.url] }).restartTask('c', 0));
    expect((err as ConnectHttpError).status).toBe(503);
    expect(second.requests).toHaveLength(0);

    await client({ urls: [await refusedUrl(), second.url] }).restartTask('c', 0);
    expect(second.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /connectors/c/tasks/0/restart']);
  });
});

describe('authentication', () => {
  it.each([
    { auth: { kind: 'basic', username: 'svc', password: 'p@ss:word' } as const, header: `Basic ${Buffer.from('svc:p@ss:word').toString('base64')}` },
    { auth: { kind: 'bearer', token: 'tok-123' } as const, header: 'Bearer tok-123' },
  ])('sends $auth.kind credentials to the configured worker and never logs them', async ({ auth, header }) => {
    const worker = await server((_req, res) => sendJson(res, 401, 'x'));
    const down = await refusedUrl();
    const log = captureLog();
    const err = await failure(client({ urls: [down, worker.url], auth, logger: log.logger }).getPlugins());
    expect(worker.requests[0]?.headers.authorization).toBe(header);
    expect(String((err as Error).message)).not.toContain(header);
    const logged = log.text();
    expect(logged).not.toContain(header);
    expect(logged).not.toContain('p@ss');
    expect(logged).not.toContain('tok-123');
  });

  it('reports the basic-auth filter\'s plain-text 401 (labelled application/json) without its body, and asks no other worker', async () => {
    const worker = await server((_req, res) => sendText(res, 401, 'User cannot access the resource.', 'application/json'));
    const other = await server((_req, res) => sendJson(res, 200, {}));
    const err = await failure(client({ urls: [worker.url, other.url] }).pollStatus());
    expect(err).toBeInstanceOf(ConnectHttpError);
    const http = err as ConnectHttpError;
    expect([http.status, http.errorCode, http.connectMessage, http.retriable]).toEqual([401, undefined, null, false]);
    expect(http.message).toBe(`Kafka Connect cluster "test", connectors on ${worker.url} answered HTTP 401`);
    expect(other.requests).toHaveLength(0);
  });
});

describe('redirects', () => {
  it('are not followed, and the credential never reaches the redirect target', async () => {
    const elsewhere = await server((_req, res) => sendJson(res, 200, {}));
    const worker = await server((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/connectors?expand=status&expand=info` });
      res.end();
    });
    const err = await failure(
      client({ urls: [worker.url], auth: { kind: 'bearer', token: 'secret-token' } }).pollStatus(),
    );
    expect(err).toBeInstanceOf(ConnectHttpError);
    expect((err as ConnectHttpError).status).toBe(302);
    expect((err as Error).message).toContain('HTTP 302 (redirects are not followed)');
    expect(elsewhere.requests).toHaveLength(0);
  });
});

describe('errors and hostile responses', () => {
  it('keeps message null from Connect as null', async () => {
    const worker = await server((_req, res) => sendJson(res, 500, { error_code: 500, message: null }));
    const err = (await failure(client({ urls: [worker.url] }).getPlugins())) as ConnectHttpError;
    expect([err.status, err.errorCode, err.connectMessage]).toEqual([500, 500, null]);
    expect(err.message).toBe(`Kafka Connect cluster "test", plugins on ${worker.url} answered HTTP 500`);
  });

  it('truncates a long Connect message in the error text', async () => {
    const worker = await server((_req, res) => sendJson(res, 409, { error_code: 409, message: 'm'.repeat(5_000) }));
    const err = (await failure(client({ urls: [worker.url] }).restartTask('x', 1))) as ConnectHttpError;
    expect(err.retriable).toBe(true);
    expect(err.message.length).toBeLessThan(500);
  });

  it('reports a JAX-RS 404 without Content-Type as Connect\'s answer', async () => {
    const worker = await startRawServer((socket) => {
      const body = '{"error_code":404,"message":"HTTP 404 Not Found"}';
      socket.write(`HTTP/1.1 404 Not Found\r\nContent-Length: ${body.length}\r\nServer: Jetty(9.4.48.v20220622)\r\n\r\n${body}`);
    });
    cleanups.push(() => worker.close());
    const err = (await failure(client({ urls: [worker.url] }).getPlugins())) as ConnectHttpError;
    expect([err.status, err.errorCode, err.connectMessage]).toEqual([404, 404, 'HTTP 404 Not Found']);
  });

  it('reports an HTML 404 without quoting it', async () => {
    const worker = await server((_req, res) => sendText(res, 404, HTML_404));
    const err = (await failure(client({ urls: [worker.url] }).pollStatus())) as ConnectHttpError;
    expect([err.status, err.errorCode, err.connectMessage]).toEqual([404, undefined, null]);
    expect(err.message).not.toContain('html');
  });

  it('times out a server that never answers', async () => {
    const worker = await server(() => {});
    const outcomes: string[] = [];
    const err = (await failure(
      client({ urls: [worker.url], timeoutMs: 150, onRequest: (_e, code) => outcomes.push(code) }).pollStatus(),
    )) as ConnectUnreachableError;
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect([err.timeout, err.aborted]).toEqual([true, false]);
    expect(err.message).toBe(`Kafka Connect cluster "test", connectors on ${worker.url} timed out`);
    expect(outcomes).toEqual(['timeout']);
  });

  it('times out a trickled body: the timeout covers the whole request', async () => {
    const worker = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      const trickle = setInterval(() => res.write(' '), 20);
      res.on('close', () => clearInterval(trickle));
    });
    const err = (await failure(client({ urls: [worker.url], timeoutMs: 200 }).pollStatus())) as ConnectUnreachableError;
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect(err.timeout).toBe(true);
  });

  it('fails on a reset in the middle of the body, and moves on to the next worker', async () => {
    const resetting = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":{"sta');
      socket.destroy();
    });
    cleanups.push(() => resetting.close());
    const outcomes: string[] = [];
    const err = (await failure(
      client({ urls: [resetting.url], onRequest: (_e, code) => outcomes.push(code) }).pollStatus(),
    )) as ConnectUnreachableError;
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect(err.timeout).toBe(false);
    expect(err.causeCode).toMatch(/^(UND_ERR_SOCKET|ECONNRESET|UND_ERR_RES_CONTENT_LENGTH_MISMATCH)$/);
    expect(outcomes).toEqual(['error']);

    const healthy = await server((_req, res) => sendJson(res, 200, {}));
    expect((await client({ urls: [resetting.url, healthy.url] }).pollStatus()).workerUrl).toBe(healthy.url);
  });

  it('refuses a body declared larger than the limit without reading it', async () => {
    const worker = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n[');
    });
    cleanups.push(() => worker.close());
    const outcomes: string[] = [];
    const err = await failure(
      client({ urls: [worker.url], maxResponseBytes: 1024, onRequest: (_e, code) => outcomes.push(code) }).pollStatus(),
    );
    expect(err).toBeInstanceOf(ConnectTooLargeError);
    expect(isSentinelError(err, 'CS_ERR_CONNECT_TOO_LARGE')).toBe(true);
    expect(outcomes).toEqual(['too_large']);
  });

  it('stops reading an endless chunked body as soon as it passes the limit', async () => {
    let serverSawClose = false;
    const worker = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => {
        serverSawClose = true;
      });
      pump();
    });
    const err = (await failure(client({ urls: [worker.url], maxResponseBytes: 256 * 1024 }).pollStatus())) as ConnectTooLargeError;
    expect(err).toBeInstanceOf(ConnectTooLargeError);
    expect(err.limitBytes).toBe(256 * 1024);
    expect(err.message).toBe(`Kafka Connect cluster "test", connectors on ${worker.url}: response exceeds 262144 bytes`);
    await expect.poll(() => serverSawClose).toBe(true);
  });
});

describe('worker info, plugins and health', () => {
  it('reads GET / and GET /connector-plugins', async () => {
    const worker = await server((req, res) => {
      if (req.url === '/') return sendJson(res, 200, { version: '7.5.0-ccs', commit: 'abcdef0123456789', kafka_cluster_id: 'K1' });
      return sendJson(res, 200, [{ class: 'a.Sink', type: 'sink', version: '1.0' }]);
    });
    const connect = client({ urls: [worker.url] });
    expect(await connect.getWorkerInfo()).toEqual({ version: '7.5.0-ccs', commit: 'abcdef0123456789', kafkaClusterId: 'K1' });
    expect(await connect.getPlugins()).toEqual([{ class: 'a.Sink', type: 'sink', version: '1.0' }]);
    expect(worker.requests.map((r) => r.url)).toEqual(['/', '/connector-plugins']);
  });

  it.each([
    { status: 200, body: { status: 'healthy', message: 'ready' }, expected: { status: 'healthy', message: 'ready' } },
    { status: 503, body: { status: 'starting', message: 'Worker is still starting up.' }, expected: { status: 'starting', message: 'Worker is still starting up.' } },
    { status: 500, body: { status: 'unhealthy', message: 'stuck' }, expected: { status: 'unhealthy', message: 'stuck' } },
    { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' }, expected: { status: 'unsupported', message: '' } },
  ])('reads /health answering $status', async ({ status, body, expected }) => {
    const worker = await server((_req, res) => sendJson(res, status, body));
    expect(await client({ urls: [worker.url] }).getHealth()).toEqual(expected);
    expect(worker.requests[0]?.url).toBe('/health');
  });

  it('does not take Connect\'s generic 500 or an HTML 404 for a health report', async () => {
    const generic = await server((_req, res) => sendJson(res, 500, { error_code: 500, message: 'Request timed out' }));
    expect(((await failure(client({ urls: [generic.url] }).getHealth())) as ConnectHttpError).status).toBe(500);
    const starting = await server((_req, res) => sendText(res, 404, HTML_404));
    expect(((await failure(client({ urls: [starting.url] }).getHealth())) as ConnectHttpError).status).toBe(404);
  });
});

describe('restarts', () => {
  it('reads a 202 restart plan, sending both flags', async () => {
    const worker = await server((_req, res) =>
      sendJson(res, 202, {
        name: 'c/1',
        connector: { state: 'RUNNING', worker_id: 'w' },
        tasks: [
          { id: 1, state: 'RESTARTING', worker_id: 'w', trace: 'a.Boom: x\n' },
          { id: 0, state: 'RUNNING', worker_id: 'w' },
        ],
        type: 'sink',
      }),
    );
    const outcome = await client({ urls: [worker.url] }).restartConnector('c/1', { includeTasks: true, onlyFailed: true });
    expect(worker.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /connectors/c%2F1/restart?includeTasks=true&onlyFailed=true',
    ]);
    expect(outcome.kind).toBe('planned');
    if (outcome.kind !== 'planned') return;
    expect(outcome.plan.tasks.map((t) => [t.id, t.state, t.failure?.exception])).toEqual([
      [0, 'running', undefined],
      [1, 'restarting', 'a.Boom'],
    ]);
  });

  it.each(['.', '..'])('sends the restart of a connector named %j to its own path, not up a dot segment', async (name) => {
    const worker = await server((_req, res) => {
      res.writeHead(204).end();
    });
    await client({ urls: [worker.url] }).restartConnector(name, { includeTasks: true, onlyFailed: true });
    await client({ urls: [worker.url] }).restartTask(name, 0);
    const encoded = name.replaceAll('.', '%2E');
    expect(worker.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST /connectors/${encoded}/restart?includeTasks=true&onlyFailed=true`,
      `POST /connectors/${encoded}/tasks/0/restart`,
    ]);
  });

  it.each([
    { name: '204 (before 3.0, or both flags false)', status: 204 },
    { name: 'an empty 202', status: 202 },
  ])('takes $name as a connector-only restart', async ({ status }) => {
    const worker = await server((_req, res) => {
      res.writeHead(status);
      res.end();
    });
    expect(await client({ urls: [worker.url] }).restartConnector('c', { includeTasks: false, onlyFailed: false })).toEqual({
      kind: 'connector-only',
    });
    expect(worker.requests[0]?.url).toBe('/connectors/c/restart?includeTasks=false&onlyFailed=false');
  });

  it('reports an unknown connector on restart as Connect\'s 404', async () => {
    const worker = await server((_req, res) => sendJson(res, 404, { error_code: 404, message: 'Unknown connector: c' }));
    const err = (await failure(
      client({ urls: [worker.url] }).restartConnector('c', { includeTasks: true, onlyFailed: false }),
    )) as ConnectHttpError;
    expect([err.status, err.connectMessage, err.retriable, err.context.endpoint]).toEqual([
      404,
      'Unknown connector: c',
      false,
      'connector_restart',
    ]);
  });
});

describe('onRequest', () => {
  it('sees only the bounded endpoint labels and status codes as strings', async () => {
    const seen: Array<[ConnectEndpoint, string]> = [];
    const worker = await server((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/connectors?')) return sendJson(res, 200, ['x']);
      if (url === '/connectors/x/status') return sendJson(res, 200, statusBody('x'));
      if (url === '/connectors/x') return sendJson(res, 200, { name: 'x', config: {} });
      if (url === '/') return sendJson(res, 200, { version: '2.2.0' });
      if (url === '/health') return sendJson(res, 404, { error_code: 404, message: 'HTTP 404 Not Found' });
      if (url === '/connector-plugins') return sendJson(res, 200, []);
      res.writeHead(204);
      res.end();
    });
    const connect = client({ urls: [worker.url], onRequest: (endpoint, code) => seen.push([endpoint, code]) });
    await connect.pollStatus();
    await connect.getWorkerInfo();
    await connect.getPlugins();
    await connect.getHealth();
    await connect.restartConnector('x', { includeTasks: false, onlyFailed: false });
    await connect.restartTask('x', 0);
    expect(seen).toEqual([
      ['connectors', '200'],
      ['connector_status', '200'],
      ['connector_info', '200'],
      ['root', '200'],
      ['plugins', '200'],
      ['health', '404'],
      ['connector_restart', '204'],
      ['task_restart', '204'],
    ]);
    for (const [endpoint] of seen) expect(CONNECT_ENDPOINTS).toContain(endpoint);
  });
});

describe('aborting and closing', () => {
  it('close() aborts requests in flight and refuses later ones', async () => {
    const worker = await server(() => {});
    const connect = createConnectClient({ cluster: 'test', urls: [worker.url], logger: captureLog().logger });
    const pending = failure(connect.pollStatus());
    await expect.poll(() => worker.requests.length).toBe(1);
    await connect.close();
    const err = (await pending) as ConnectUnreachableError;
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect([err.aborted, err.timeout]).toEqual([true, false]);
    const later = (await failure(connect.getPlugins())) as ConnectUnreachableError;
    expect(later.aborted).toBe(true);
    await connect.close();
  });

  it('a caller abort ends the request without trying other workers', async () => {
    const silent = await server(() => {});
    const other = await server((_req, res) => sendJson(res, 200, {}));
    const controller = new AbortController();
    const pending = failure(client({ urls: [silent.url, other.url] }).pollStatus(controller.signal));
    await expect.poll(() => silent.requests.length).toBe(1);
    controller.abort();
    const err = (await pending) as ConnectUnreachableError;
    expect(err.aborted).toBe(true);
    expect(other.requests).toHaveLength(0);
  });
});
