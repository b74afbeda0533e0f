// Kafka Connect misbehaving, seen from the whole service: for every fault the service keeps running, /metrics answers
// 200 with kafka_connect_up 0 and the last known state, nothing is restarted on data it could not trust, the log says
// what happened once (not once per poll), and it recovers by itself when the worker does.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failFirstConnector, json, onStatusPoll, refusedUrl, runningConnectors, startFaultServer, type Fault, type FaultServer } from './fault-server.ts';
import { cleanupList, startService, type Service } from './service.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const UP = 'kafka_connect_up{connect_cluster="prod"}';
const LAST_SUCCESS = 'kafka_connect_last_poll_success_timestamp_seconds{connect_cluster="prod"}';
const TASK_RUNNING = 'kafka_connect_task_state{connect_cluster="prod",connector="c000",task="0",state="running"}';
/** The poller's warning when a poll fails (its wording names the cause: failed, authentication, access …). */
const POLL_FAILED = 'keeping the last known state';
const FAULTY_POLLS = 4;

function config(url: string, extra = ''): string {
  return `
clusters:
  - name: prod
    url: ${url}
    pollInterval: 1s
    timeout: 400ms
    maxResponseSize: 4MiB
${extra}
restart:
  enabled: true
`;
}

async function serviceFor(url: string, extra = ''): Promise<Service> {
  return cleanups.add(await startService({ config: config(url, extra) }));
}

async function pollTimes(service: Service, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await service.app.pollAll();
}

const healthyBody = JSON.stringify({
  c000: { status: { name: 'c000', connector: { state: 'RUNNING', worker_id: 'w' }, tasks: [{ id: 0, state: 'FAILED', worker_id: 'w', trace: 'x' }], type: 'source' } },
});

const FAULTS: Array<[string, Fault, string]> = [
  ['a reset at once', { kind: 'reset' }, 'unreachable'],
  ['a reset in the middle of the body', { kind: 'reset-mid-body', body: healthyBody }, 'unreachable'],
  ['a body trickling in byte by byte', { kind: 'trickle', body: healthyBody, everyMs: 50 }, 'timeout'],
  ['an endless body', { kind: 'endless' }, 'too_large'],
  ['a body declared at 100 MB', { kind: 'endless', declareLength: 100 * 1024 * 1024 }, 'too_large'],
  ['truncated JSON', { kind: 'answer', status: 200, body: healthyBody.slice(0, 60), contentType: 'application/json' }, 'decode'],
  ['malformed JSON', { kind: 'answer', status: 200, body: '{"c000": {status: nope}}', contentType: 'application/json' }, 'decode'],
  ['JSON of the wrong overall shape', json(200, 'connectors'), 'decode'],
  ['an HTML page with 200', { kind: 'answer', status: 200, body: '<html><body>Login</body></html>', contentType: 'text/html' }, 'decode'],
  ['a proxy\'s HTML 502 page', { kind: 'answer', status: 503, body: '<html><h1>502 Bad Gateway</h1></html>', contentType: 'text/html' }, 'http'],
  ['the basic-auth filter\'s plain-text 401', { kind: 'answer', status: 401, body: 'User cannot access the resource.', contentType: 'application/json' }, 'http'],
  ['a 409 rebalance storm', json(409, { error_code: 409, message: 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)' }), 'http'],
  ['a 500 storm', json(500, { error_code: 500, message: 'Request timed out' }), 'http'],
];

describe('faults of Kafka Connect, through the whole service', () => {
  let server: FaultServer;
  beforeEach(async () => {
    server = cleanups.add(await startFaultServer(runningConnectors(6)));
  });

  it.each(FAULTS)('%s: up 0, last state kept, one log line, no restart, recovery', async (_name, fault, reason) => {
    const service = await serviceFor(server.url);
    await service.app.pollAll();
    const before = await service.scrape();
    expect(service.value(before.body, UP)).toBe(1);

    failFirstConnector(server);
    server.fault = onStatusPoll(fault);
    await pollTimes(service, FAULTY_POLLS);

    const during = await service.scrape();
    expect(during.status).toBe(200);
    expect(service.value(during.body, UP)).toBe(0);
    // Held-back data: the last known state stays, stale by its unchanged last-success timestamp.
    expect(service.value(during.body, TASK_RUNNING)).toBe(1);
    expect(service.value(during.body, LAST_SUCCESS)).toBe(service.value(before.body, LAST_SUCCESS));
    expect(service.value(during.body, `kafka_connect_exporter_poll_errors_total{connect_cluster="prod",reason="${reason}"}`)).toBe(FAULTY_POLLS);
    expect(server.restartPosts()).toEqual([]);
    expect(service.log.matching(POLL_FAILED)).toHaveLength(1);
    expect(JSON.stringify(service.log.matching(POLL_FAILED)[0])).toContain('CS_ERR_CONNECT_');

    // The worker heals: the failed tasks are now seen on trusted data, and restarted.
    server.fault = () => undefined;
    await service.app.pollAll();
    const after = await service.scrape();
    expect(service.value(after.body, UP)).toBe(1);
    expect(service.log.matching('Kafka Connect is reachable again')).toHaveLength(1);
    expect(server.restartPosts().length).toBeGreaterThan(0);
  });

  it('connection refused: up 0 from the first poll, /metrics and readiness still answer', async () => {
    const service = await serviceFor(await refusedUrl());
    await pollTimes(service, FAULTY_POLLS);
    const scrape = await service.scrape();
    expect(scrape.status).toBe(200);
    expect(service.value(scrape.body, UP)).toBe(0);
    expect(service.value(scrape.body, 'kafka_connect_exporter_poll_errors_total{connect_cluster="prod",reason="unreachable"}')).toBe(FAULTY_POLLS);
    expect(service.log.matching(POLL_FAILED)).toHaveLength(1);
    expect(JSON.stringify(service.log.matching(POLL_FAILED)[0])).toContain('ECONNREFUSED');
    // Every cluster was polled once: ready, even though the cluster is down (readiness is about connect-sentinel).
    expect((await service.app.server.inject({ url: '/-/ready' })).statusCode).toBe(200);
  });

  it('a worker that accepts and never answers: scrapes are served while the poll hangs', async () => {
    const service = await serviceFor(server.url);
    await service.app.pollAll();
    server.fault = onStatusPoll({ kind: 'hang' });

    const polling = service.app.pollAll().then(() => 'poll');
    const scraping = service.scrape().then((scrape) => {
      expect(scrape.status).toBe(200);
      expect(service.value(scrape.body, UP)).toBe(1);
      return 'scrape';
    });
    expect(await Promise.race([polling, scraping])).toBe('scrape');
    expect(await polling).toBe('poll');
    const scrape = await service.scrape();
    expect(service.value(scrape.body, UP)).toBe(0);
    expect(service.value(scrape.body, 'kafka_connect_exporter_poll_errors_total{connect_cluster="prod",reason="timeout"}')).toBe(1);
    // Each timed-out request's socket is destroyed: hung connections do not pile up poll after poll.
    await pollTimes(service, 5);
    expect(server.requests.filter((r) => r.url.startsWith('/connectors')).length).toBe(7);
    expect(server.openSockets).toBeLessThanOrEqual(2);
  });

  it('a 100 MB body is refused at the size cap: the worker could not send it, and memory did not grow by it', async () => {
    const service = await serviceFor(server.url);
    await service.app.pollAll();
    server.fault = onStatusPoll({ kind: 'endless' });
    const rssBefore = process.memoryUsage().rss;
    await service.app.pollAll();
    const grown = process.memoryUsage().rss - rssBefore;
    // The cap is 4 MiB; what the kernel buffers beyond it is a few MB at most, far from 100 MB.
    expect(server.endlessBytesSent).toBeLessThan(32 * 1024 * 1024);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    const scrape = await service.scrape();
    expect(service.value(scrape.body, 'kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="connectors",code="too_large"}')).toBe(1);
  });
});

describe('odd but valid answers', () => {
  it('entries of the wrong shape: the rest of the poll counts, odd entries are kept as last seen, one warning', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(6)));
    const service = await serviceFor(server.url);
    await service.app.pollAll();
    const hugeTrace = `org.apache.kafka.connect.errors.ConnectException: big\n${'\tat org.example.Deep.call(Deep.java:1)\n'.repeat(50_000)}`;
    const body = {
      c000: { status: { name: 'c000', connector: { state: 42, worker_id: 7 }, tasks: [{ id: '0', state: 'RUNNING', worker_id: 'w' }] } },
      c001: { status: { name: 'c001', connector: { state: 'HIBERNATING', worker_id: 'w' }, tasks: [] } },
      c002: { status: { name: 'c002', connector: { state: 'RUNNING', worker_id: 'w' }, tasks: [{ id: 0, state: 'FAILED', worker_id: 'w', trace: hugeTrace }] } },
      c003: { status: 'not an object' },
      c004: { info: null },
      c005: { status: { name: 'c005', tasks: 'none' } },
    };
    server.fault = onStatusPoll(json(200, body));
    await pollTimes(service, FAULTY_POLLS);

    const scrape = await service.scrape();
    expect(scrape.status).toBe(200);
    expect(service.value(scrape.body, UP)).toBe(1);
    expect(service.value(scrape.body, 'kafka_connect_connector_state{connect_cluster="prod",connector="c001",state="running"}')).toBe(0);
    // The huge trace is parsed for its class, never exported whole.
    expect(scrape.body).toContain('exception="org.apache.kafka.connect.errors.ConnectException"');
    expect(scrape.body.length).toBeLessThan(hugeTrace.length);
    // Unreadable entries are the ones the cluster still names: kept as last seen, not deleted.
    for (const name of ['c003', 'c004', 'c005']) {
      expect(scrape.body).toContain(`kafka_connect_connector_info{connect_cluster="prod",connector="${name}"`);
    }
    const lines = service.log.matching('unexpected shape');
    expect(lines.filter((line) => line['level'] === 'warn')).toHaveLength(1);
    expect(lines.length).toBe(FAULTY_POLLS);
  });

  it('a cluster that flips between versions during a rolling upgrade stays up and logs the switch once each way', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(6)));
    const service = await serviceFor(server.url);
    for (let poll = 0; poll < 6; poll++) {
      server.legacy = poll % 2 === 1;
      await service.app.pollAll();
      const scrape = await service.scrape();
      expect(service.value(scrape.body, UP)).toBe(1);
      expect(service.value(scrape.body, TASK_RUNNING)).toBe(1);
    }
    const atInfo = (fragment: string) => service.log.matching(fragment).filter((line) => line['level'] !== 'debug');
    expect(atInfo('ignores ?expand')).toHaveLength(1);
    expect(atInfo('supports ?expand again')).toHaveLength(1);
    expect(server.restartPosts()).toEqual([]);
  });

  it('a restarting worker that lists no connectors is not believed, and nothing is restarted until it is', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(6)));
    const service = await serviceFor(server.url);
    await service.app.pollAll();
    const known = server.connectors;

    server.connectors = new Map();
    server.fault = (request) =>
      request.url === '/health' ? json(503, { status: 'starting', message: 'Worker is still starting up.' }) : undefined;
    await pollTimes(service, FAULTY_POLLS);
    let scrape = await service.scrape();
    expect(service.value(scrape.body, TASK_RUNNING)).toBe(1);
    expect(service.value(scrape.body, 'kafka_connect_exporter_poll_errors_total{connect_cluster="prod",reason="untrusted"}')).toBe(FAULTY_POLLS);
    expect(service.log.matching('far fewer connectors than known')).toHaveLength(1);

    // Back, with every task FAILED: trusted again, and now restarts go out.
    server.connectors = known;
    failFirstConnector(server);
    server.fault = () => undefined;
    await service.app.pollAll();
    scrape = await service.scrape();
    expect(service.value(scrape.body, 'kafka_connect_task_state{connect_cluster="prod",connector="c000",task="0",state="failed"}')).toBe(1);
    expect(service.log.matching('trusted again')).toHaveLength(1);
    expect(server.restartPosts().length).toBeGreaterThan(0);
  });
});

describe('restart calls that keep failing', () => {
  it.each([
    ['a 500 storm', json(500, { error_code: 500, message: 'Request timed out' })],
    ['a 409 rebalance storm', json(409, { error_code: 409, message: 'Cannot complete request momentarily due to stale configuration' })],
  ] as Array<[string, Fault]>)('%s on restarts: retried a few times per attempt, then the backoff applies; monitoring unaffected', async (_name, fault) => {
    const server = cleanups.add(await startFaultServer(runningConnectors(6)));
    server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
    server.fault = (request) => (request.method === 'POST' ? fault : undefined);
    const clock = { now: Date.UTC(2026, 10, 24, 10) };
    const service = cleanups.add(await startService({ config: config(server.url), now: () => clock.now }));
    // Ten minutes of polls every 15 s.
    const polls = 40;
    for (let poll = 0; poll < polls; poll++) {
      await service.app.pollAll();
      clock.now += 15_000;
    }
    const scrape = await service.scrape();
    expect(service.value(scrape.body, UP)).toBe(1);
    const posts = server.restartPosts().length;
    // Not once per poll: every few failed calls count as an attempt, and attempts walk the backoff (1m, 2m, 4m …).
    expect(posts).toBeGreaterThanOrEqual(3);
    expect(posts).toBeLessThan(polls / 2);
    expect(service.value(scrape.body, 'kafka_connect_autorestart_restart_failures_total{connect_cluster="prod",connector="c000",task="0"}')).toBe(posts);
    expect(service.log.matching(POLL_FAILED)).toEqual([]);
  });
});
