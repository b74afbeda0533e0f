// Hostile input to connect-sentinel's own endpoints, generated: any method, path, query string, Authorization header,
// content type and body. Whatever arrives, the answer is a 4xx or a 2xx (never a 5xx, never a stack trace), an error
// answer names a CS_ERR_* code, and nothing is logged at error level.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningConnectors, startFaultServer, type FaultServer } from '../reliability/fault-server.ts';
import { startService, type Service } from '../reliability/service.ts';

const TOKEN = 'operator-token';
const PATHS = ['/', '/metrics', '/-/healthy', '/-/ready', '/-/reload', '/api/v1/status', '/api/v1/restarts', '/api/v1/restarts/reset', '/api/v1/silences'];
const KEYS = ['cluster', 'connector', 'state', 'task', 'duration', 'reason', '__proto__', 'constructor', 'x'];

let connect: FaultServer;
let service: Service;

beforeAll(async () => {
  connect = await startFaultServer(runningConnectors(3));
  service = await startService({
    config: `clusters:\n  - name: prod\n    url: ${connect.url}\napi:\n  tokenFile: api-token\nweb:\n  maxRequestBodySize: 4KiB\nrestart:\n  enabled: true\n`,
    files: { 'api-token': TOKEN },
    logLevel: 'info',
  });
  await service.app.pollAll();
});
afterAll(async () => {
  await service?.close();
  await connect?.close();
});

/** Printable ASCII: what an HTTP client can put in a header or (percent-encoded) in a URL. */
const text = (maxLength: number) => fc.string({ maxLength });
const unicode = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

const pathArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...PATHS) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...PATHS), unicode(40)).map(([path, tail]) => `${path}/${encodeURIComponent(tail)}`) },
);

const queryArb = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), text(8)), fc.oneof(unicode(20), fc.constantFrom('prod', 'failed', 'c000', '1h')), fc.boolean()), { maxLength: 4 })
  .map((pairs) => pairs.map(([key, value, raw]) => (raw ? `${key}=${value.replace(/[^\x21-\x7e]/g, '')}` : `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)).join('&'));

const valueArb = fc.oneof(fc.jsonValue({ maxDepth: 2 }), unicode(30), fc.constantFrom('prod', 'c000', '1h', '999999999999h', '-1s', 0, -1, 2 ** 53));
const bodyArb = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...KEYS), valueArb, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: unicode(60) },
  { weight: 1, arbitrary: fc.constantFrom('{"__proto__": {"polluted": true}, "cluster": "prod", "connector": "c000"}', '{"constructor": {"prototype": {"polluted": 1}}}', '', '{', 'null', `{"cluster":"prod","connector":"${'x'.repeat(5000)}"}`) },
);

const authArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(`Bearer ${TOKEN}`),
  text(30).map((t) => `Bearer ${t}`),
  text(30).map((t) => `Basic ${t}`),
  unicode(20).map((t) => `Basic ${Buffer.from(t).toString('base64')}`),
  text(30),
);

const requestArb = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  path: pathArb,
  query: queryArb,
  authorization: authArb,
  contentType: fc.oneof(
    fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml'),
    text(20),
  ),
  body: fc.option(bodyArb, { nil: undefined }),
});

/** Well-formed write actions with the right token: the handlers themselves meet arbitrary values. */
const writeArb = fc.record({
  route: fc.constantFrom(
    { method: 'POST', path: '/api/v1/restarts' },
    { method: 'POST', path: '/api/v1/restarts/reset' },
    { method: 'POST', path: '/api/v1/silences' },
    { method: 'DELETE', path: '/api/v1/silences' },
  ),
  cluster: fc.oneof(fc.constant('prod'), fc.constant('nope'), unicode(20)),
  connector: fc.oneof(fc.constantFrom('c000', 'c001', 'gone'), unicode(40)),
  task: fc.option(fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constantFrom(2 ** 31, 2 ** 53, 1.5)), { nil: undefined }),
  duration: fc.oneof(fc.constantFrom('1h', '0s', '1ms', '10y', '999999999999h', '1e400h', '-1h', '9007199254740993ms'), text(12)),
  reason: fc.option(unicode(300), { nil: undefined }),
});

const readArb = fc.record({
  path: fc.constantFrom('/api/v1/status', '/api/v1/restarts'),
  params: fc.dictionary(fc.constantFrom('cluster', 'connector', 'state'), fc.oneof(fc.constantFrom('prod', 'c000', 'failed', 'running', 'FAILED', ''), unicode(40))),
});

async function send(method: string, url: string, headers: Record<string, string>, payload?: string) {
  const answer = await service.app.server.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined || method === 'GET' || method === 'HEAD' ? {} : { payload }),
  });
  expect(answer.statusCode).toBeGreaterThanOrEqual(200);
  expect(answer.statusCode).toBeLessThan(500);
  expect(answer.body).not.toMatch(/\n\s+at .+:\d+:\d+/);
  if (answer.statusCode >= 400 && url.startsWith('/api/') && method !== 'HEAD') {
    expect(answer.json()).toMatchObject({ error: expect.stringMatching(/^CS_ERR_/) });
  }
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  return answer;
}

describe('the HTTP surface under generated hostile requests', () => {
  it('anything at all: never 5xx or a stack, error answers carry a code', async () => {
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const headers: Record<string, string> = {};
        if (request.authorization !== undefined) headers['authorization'] = request.authorization;
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        await send(request.method, request.query === '' ? request.path : `${request.path}?${request.query}`, headers, request.body);
      }),
      { numRuns: 300 },
    );
  });

  it('well-formed write actions with the token and arbitrary values: 2xx or a coded 4xx, never 5xx', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(writeArb, async ({ route: { method, path }, task, duration, reason, ...target }) => {
        const body =
          path === '/api/v1/silences'
            ? method === 'POST'
              ? { ...target, duration, ...(reason === undefined ? {} : { reason }) }
              : target
            : { ...target, ...(task === undefined ? {} : { task }) };
        const answer = await send(method, path, { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, JSON.stringify(body));
        statuses.add(answer.statusCode);
      }),
      { numRuns: 300 },
    );
    // The generator reached the handlers: accepted actions, unknown targets and refused values all came up.
    expect([...statuses].some((status) => status < 300)).toBe(true);
    expect(statuses).toContain(404);
    expect(statuses).toContain(400);
  });

  it('reads with arbitrary parameter values: 200 or a coded 400', async () => {
    await fc.assert(
      fc.asyncProperty(readArb, async ({ path, params }) => {
        const answer = await send('GET', `${path}?${new URLSearchParams(params).toString()}`, {});
        expect([200, 400]).toContain(answer.statusCode);
      }),
      { numRuns: 200 },
    );
  });

  it('after all that: nothing was logged as an error, and the service still polls and serves', async () => {
    expect(service.log.lines().filter((line) => line['level'] === 'error' || line['level'] === 'fatal')).toEqual([]);
    await service.app.pollAll();
    expect(service.value((await service.scrape()).body, 'kafka_connect_up{connect_cluster="prod"}')).toBe(1);
  });
});
