// connect-sentinel's own endpoints, configured as a user would and reached over a real socket: TLS (and client
// certificates), basic auth or a bearer token on everything but health and readiness, an API token for every write
// action, and validated, size-limited requests.

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runningConnectors, startFaultServer, type FaultServer } from '../reliability/fault-server.ts';
import { cleanupList, startService, type Service } from '../reliability/service.ts';
import { makePki, type Pki } from './pki.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

let pki: Pki;
let connect: FaultServer;
beforeAll(async () => {
  pki = makePki();
  connect = await startFaultServer(runningConnectors(2));
});
afterAll(async () => {
  await connect.close();
  pki.remove();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string;
  cert?: string;
  key?: string;
}

function send(url: string, options: RequestOptions = {}): Promise<Answer> {
  const target = new URL(url);
  const https = target.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (https ? httpsRequest : httpRequest)(
      target,
      {
        method: options.method ?? 'GET',
        headers: { ...(options.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(options.body)) }), ...options.headers },
        ...(https ? { ca: options.ca, cert: options.cert, key: options.key } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A service listening on 127.0.0.1 with an OS-chosen port; returns its base URL. */
async function listening(web: string, extra = '', files: Record<string, string> = {}): Promise<{ service: Service; url: string }> {
  const service = cleanups.add(
    await startService({ config: `clusters:\n  - name: prod\n    url: ${connect.url}\nweb:\n${web}\n${extra}`, files }),
  );
  await service.app.server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = service.app.server.server.address() as AddressInfo;
  const tls = /\btls:/.test(web);
  await service.app.pollAll();
  return { service, url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}` };
}

const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('web TLS', () => {
  const tls = () => `  tls:\n    certFile: ${JSON.stringify(pki.path('server.pem'))}\n    keyFile: ${JSON.stringify(pki.path('server.key'))}\n`;

  it('serves every endpoint over TLS to clients that trust its CA, and nothing over plain HTTP', async () => {
    const { url } = await listening(tls());
    const metrics = await send(`${url}/metrics`, { ca: pki.read('ca.pem') });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('kafka_connect_up{connect_cluster="prod"} 1');
    await expect(send(`${url}/metrics`)).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED/) });
    await expect(send(`${url.replace('https:', 'http:')}/metrics`)).rejects.toThrow();
  });

  it('with clientCaFile, requires a client certificate signed by that CA', async () => {
    const { url } = await listening(`${tls()}    clientCaFile: ${JSON.stringify(pki.path('ca.pem'))}\n`);
    const ca = pki.read('ca.pem');
    const anonymous = send(`${url}/-/healthy`, { ca }).then((answer) => answer.status, (err: NodeJS.ErrnoException) => err.code ?? 'error');
    expect(await anonymous).not.toBe(200);
    const withCert = await send(`${url}/-/healthy`, { ca, cert: pki.read('client.pem'), key: pki.read('client.key') });
    expect(withCert.status).toBe(200);
  });
});

describe('web authentication', () => {
  it('protects everything but health and readiness with basic auth or a bearer token', async () => {
    const { url } = await listening('  basicAuth: { username: prometheus, passwordFile: web-password }\n  bearerTokenFile: web-token\n', '', {
      'web-password': 'scrape-password',
      'web-token': 'scrape-token',
    });
    for (const path of ['/metrics', '/', '/api/v1/status', '/api/v1/restarts', '/no-such-page']) {
      const anonymous = await send(`${url}${path}`);
      expect(anonymous.status, path).toBe(401);
      expect(anonymous.headers['www-authenticate']).toBe('Basic realm="connect-sentinel"');
      expect(anonymous.body).not.toContain('kafka_connect');
    }
    expect((await send(`${url}/metrics`, { headers: basic('prometheus', 'scrape-password') })).status).toBe(200);
    expect((await send(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-token' } })).status).toBe(200);
    expect((await send(`${url}/metrics`, { headers: basic('prometheus', 'scrape-passwordX') })).status).toBe(401);
    expect((await send(`${url}/metrics`, { headers: basic('other', 'scrape-password') })).status).toBe(401);
    expect((await send(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-tokenX' } })).status).toBe(401);
    expect((await send(`${url}/metrics`, { headers: { authorization: 'Basic !!!not-base64' } })).status).toBe(401);
    expect((await send(`${url}/metrics`, { headers: { authorization: 'Digest whatever' } })).status).toBe(401);
    // A reload changes what the cluster is watched with; it needs credentials too.
    expect((await send(`${url}/-/reload`, { method: 'POST' })).status).toBe(401);
    expect((await send(`${url}/-/healthy`)).status).toBe(200);
    expect((await send(`${url}/-/ready`)).status).toBe(200);
  });
});

describe('slow clients', () => {
  it('a request must arrive whole within a bounded time: a body trickled forever cannot hold a connection', async () => {
    const { service } = await listening('  listenAddress: 127.0.0.1:0\n');
    const server = service.app.server.server as import('node:http').Server;
    // Node's own default is 5 minutes; fastify turns it off (0) unless told. Headers have their own 60 s bound.
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.requestTimeout).toBeLessThanOrEqual(120_000);
    expect(server.headersTimeout).toBeGreaterThan(0);
  });
});

describe('API write actions', () => {
  const target = JSON.stringify({ cluster: 'prod', connector: 'c000' });
  const asJson = { 'content-type': 'application/json' };

  it('are refused outright while no API token is configured', async () => {
    const { url } = await listening('  listenAddress: 127.0.0.1:0\n');
    const answer = await send(`${url}/api/v1/restarts/reset`, { method: 'POST', headers: { ...asJson, authorization: 'Bearer anything' }, body: target });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'CS_ERR_API_FORBIDDEN' });
  });

  it('always require the API token, even when reads are open', async () => {
    const { url } = await listening('  listenAddress: 127.0.0.1:0\n', 'api:\n  tokenFile: api-token\n', { 'api-token': 'operator-token' });
    const post = (path: string, headers: Record<string, string>, body = target, method = 'POST') =>
      send(`${url}${path}`, { method, headers: { ...asJson, ...headers }, body });
    for (const [path, method] of [['/api/v1/restarts/reset', 'POST'], ['/api/v1/silences', 'DELETE'], ['/api/v1/restarts', 'POST']] as const) {
      expect((await post(path, {}, target, method)).status, path).toBe(401);
      expect((await post(path, { authorization: 'Bearer operator-tokenX' }, target, method)).status, path).toBe(401);
    }
    expect((await post('/api/v1/restarts/reset', { authorization: 'Bearer operator-token' })).status).toBe(200);
    expect((await post('/api/v1/restarts/reset', { 'x-api-token': 'operator-token' })).status).toBe(200);
    expect((await send(`${url}/api/v1/restarts`)).status).toBe(200);
  });

  it('validate bodies and parameters, with size limits', async () => {
    const { url } = await listening('  maxRequestBodySize: 1KiB\n', 'api:\n  tokenFile: api-token\n', { 'api-token': 'operator-token' });
    const auth = { ...asJson, authorization: 'Bearer operator-token' };
    const post = (body: string, headers: Record<string, string> = auth) => send(`${url}/api/v1/restarts/reset`, { method: 'POST', headers, body });

    const tooLarge = await post(JSON.stringify({ cluster: 'prod', connector: 'x'.repeat(2048) }));
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body)).toMatchObject({ error: 'CS_ERR_API_TOO_LARGE' });
    const unparsable = await post('{"cluster": "prod", "connector": ');
    expect(unparsable.status).toBe(400);
    expect(JSON.parse(unparsable.body)).toMatchObject({ error: 'CS_ERR_API_BAD_REQUEST' });
    expect((await post(JSON.stringify({ cluster: 'prod', connector: 'c000', extra: true }))).status).toBe(400);
    expect((await post(JSON.stringify({ cluster: 'prod', connector: 'c000', task: -1 }))).status).toBe(400);
    expect((await post(JSON.stringify({ cluster: 'prod', connector: '' }))).status).toBe(400);
    expect((await post(JSON.stringify({ cluster: { name: 'prod' }, connector: 'c000' }))).status).toBe(400);
    expect((await post(JSON.stringify({ cluster: 'nope', connector: 'c000' }))).status).toBe(404);
    const xml = await post(target, { ...auth, 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(JSON.parse(xml.body)).toMatchObject({ error: 'CS_ERR_API_BAD_REQUEST' });
    // The token is checked before the body: an anonymous caller learns nothing about what a valid body looks like.
    const anonymous = await post(JSON.stringify({ cluster: 'prod', connector: 'c000', extra: true }), asJson);
    expect(anonymous.status).toBe(401);
    const silence = (duration: string) =>
      send(`${url}/api/v1/silences`, { method: 'POST', headers: auth, body: JSON.stringify({ cluster: 'prod', connector: 'c000', duration }) });
    expect((await silence('forever')).status).toBe(400);
    expect((await silence('1h')).status).toBe(200);

    expect((await send(`${url}/api/v1/status?cluster=${'x'.repeat(300)}`)).status).toBe(400);
    expect((await send(`${url}/api/v1/status?unknown=1`)).status).toBe(400);
    const bad = await send(`${url}/api/v1/status?state=${'y'.repeat(64)}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'CS_ERR_API_BAD_REQUEST' });
  });
});
