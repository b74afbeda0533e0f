// Hostile scale, through the whole service: answers that are huge but valid. The event loop that answers scrapes and
// probes is never held by the processing of one poll; past a cluster's bounds (connectors, tasks, exposition size)
// the poll is refused with up 0 and a reason; label values are bounded, so a long name cannot blow up the exposition.
// Scaled down from the cases of issue #16 (1,000,000 connectors, 200 KB names) so that the suite stays fast.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { failFirstConnector, onStatusPoll, runningConnectors, startFaultServer, type FaultServer } from './fault-server.ts';
import { spawnSentinel } from './process.ts';
import { cleanupList, startService, type Service } from './service.ts';
import { promtoolCheckMetrics } from '../metrics/promtool.ts';
import { MAX_LABEL_VALUE_LENGTH } from '../../src/metrics/exposition-text.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const UP = 'kafka_connect_up{connect_cluster="prod"}';
const LIMIT_ERRORS = 'kafka_connect_exporter_poll_errors_total{connect_cluster="prod",reason="limit"}';
const LISTINGS_READ = 'kafka_connect_exporter_rest_requests_total{connect_cluster="prod",endpoint="connectors",code="200"}';
const TASK_RUNNING = 'kafka_connect_task_state{connect_cluster="prod",connector="c000",task="0",state="running"}';

/** Polls are driven by the tests (app.pollAll) unless `polling` says otherwise: the real process polls by itself. */
function configFor(server: FaultServer, settings = '', polling = { pollInterval: '1m', timeout: '30s' }): string {
  return `
clusters:
  - name: prod
    url: ${server.url}
    pollInterval: ${polling.pollInterval}
    timeout: ${polling.timeout}
${settings}
restart:
  enabled: true
`;
}

async function serviceFor(server: FaultServer, settings = ''): Promise<Service> {
  return cleanups.add(await startService({ config: configFor(server, settings) }));
}

/** A status listing of `count` connectors of `tasks` tasks each, as `GET /connectors?expand=status` writes it. */
function listing(count: number, tasks = 0, name = (i: number) => `n${i}`): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const taskList = Array.from({ length: tasks }, (_, id) => `{"id":${id},"state":"RUNNING","worker_id":"w:8083"}`).join(',');
    const entry = JSON.stringify(name(i));
    parts.push(`${entry}:{"status":{"name":${entry},"connector":{"state":"RUNNING","worker_id":"w:8083"},"tasks":[${taskList}],"type":"source"}}`);
  }
  return Buffer.from(`{${parts.join(',')}}`);
}

/** Entries with only what a status needs to be counted, as in the case: about 57 bytes each. */
function minimalListing(count: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(`"c${i}":{"status":{"connector":{"state":"RUNNING"},"tasks":[]}}`);
  return Buffer.from(`{${parts.join(',')}}`);
}

function answer(body: Buffer) {
  return onStatusPoll({ kind: 'answer', status: 200, body, contentType: 'application/json' });
}

/** Peak resident set size of a process so far, in bytes (Linux: VmHWM). */
function peakRss(pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kib) * 1024;
}

describe('a giant answer', () => {
  it('is processed while /metrics and /-/healthy keep answering', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(3)));
    const service = await serviceFor(server, '    maxConnectors: 100000');
    await service.app.pollAll();
    // 60,000 connectors, 3.6 MB: decoding and rendering it at once held the event loop for about 300 ms.
    server.fault = answer(listing(60_000));

    let polled = false;
    const poll = service.app.pollAll().then(() => {
      polled = true;
    });
    // What each scrape saw: how many listings had been read, and whether the new poll's series were out yet.
    const seen: Array<{ listingsRead: number; rendered: boolean }> = [];
    while (!polled) {
      // inject() runs within one turn; scrapes from Prometheus arrive as I/O, between turns.
      await nextTurn();
      const [scrape, probe] = await Promise.all([service.scrape(), service.app.server.inject({ url: '/-/healthy' })]);
      expect(scrape.status).toBe(200);
      expect(probe.statusCode).toBe(200);
      seen.push({ listingsRead: service.value(scrape.body, LISTINGS_READ) ?? 0, rendered: scrape.body.includes('connector="n59999"') });
      // Until the poll is handled whole, the previous poll's series are served.
      if (!seen.at(-1)!.rendered) expect(service.value(scrape.body, TASK_RUNNING)).toBe(1);
    }
    await poll;
    // Answered after the poll's last listing was read and before its series were out: while it was decoded and
    // rendered. Done in one go on the event loop, that work would let none through.
    const finalListings = service.value((await service.scrape()).body, LISTINGS_READ);
    expect(seen.filter((s) => s.listingsRead === finalListings && !s.rendered).length).toBeGreaterThanOrEqual(5);
    const after = await service.scrape();
    expect(service.value(after.body, UP)).toBe(1);
    expect(service.value(after.body, 'kafka_connect_connector_state{connect_cluster="prod",connector="n59999",state="running"}')).toBe(1);
  });

  it('past maxConnectors is refused unparsed: up 0, reason limit, one log line, no restart', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(3)));
    const service = await serviceFor(server, '    maxConnectors: 1000');
    await service.app.pollAll();
    failFirstConnector(server);
    server.fault = answer(listing(5000));
    await service.app.pollAll();
    await service.app.pollAll();

    const scrape = await service.scrape();
    expect(service.value(scrape.body, UP)).toBe(0);
    expect(service.value(scrape.body, LIMIT_ERRORS)).toBe(2);
    // The last known state stays, marked down; nothing is restarted on the refused answer.
    expect(service.value(scrape.body, TASK_RUNNING)).toBe(1);
    expect(server.restartPosts()).toEqual([]);
    const lines = service.log.lines().filter((line) => JSON.stringify(line).includes('CS_ERR_CONNECT_LIMIT'));
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('more than maxConnectors allows (1000)');
  });

  it('past maxTasks is refused the same way', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(3)));
    const service = await serviceFor(server, '    maxTasks: 50');
    await service.app.pollAll();
    server.fault = answer(listing(10, 6));
    await service.app.pollAll();
    const scrape = await service.scrape();
    expect(service.value(scrape.body, UP)).toBe(0);
    expect(service.value(scrape.body, LIMIT_ERRORS)).toBe(1);
    expect(service.log.text()).toContain('more than maxTasks allows (50)');
    server.fault = () => undefined;
    await service.app.pollAll();
    expect(service.value((await service.scrape()).body, UP)).toBe(1);
  });
});

describe('the process, on an answer of 1,000,000 connectors (57 MB, under the default maxResponseSize)', () => {
  it('refuses it at the default maxConnectors, its peak RSS growing by less than 3 times the answer', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(3)));
    const dir = await mkdtemp(join(tmpdir(), 'cs-hostile-'));
    cleanups.defer(() => rm(dir, { recursive: true, force: true }));
    const configPath = join(dir, 'sentinel.yaml');
    await writeFile(configPath, `${configFor(server, '', { pollInterval: '2s', timeout: '2s' })}dataDir: ${JSON.stringify(join(dir, 'data'))}\nweb:\n  listenAddress: 127.0.0.1:0\n`);
    const sentinel = cleanups.add(spawnSentinel([`--config.file=${configPath}`]));
    const statusPolls = () => server.requests.filter((request) => request.url.startsWith('/connectors')).length;
    const until = async (condition: () => boolean) => {
      while (!condition()) {
        if (sentinel.child.exitCode !== null) throw new Error(`connect-sentinel exited: ${sentinel.stderr()}`);
        await sleep(20);
      }
    };
    // Settled: started, and polled a few times on a cluster large enough to start the decoder's thread (a fixed
    // cost of about 30 MB, whatever the answers).
    server.fault = answer(listing(5000));
    await until(() => statusPolls() >= 3);
    const baseline = peakRss(sentinel.child.pid!);

    // Parsed, it would be about a gigabyte of objects; rendered, several more (issue #16 saw 1.5 GiB).
    const body = minimalListing(1_000_000);
    expect(body.length).toBeLessThan(64 * 1024 * 1024);
    server.fault = answer(body);
    const refused = await sentinel.waitForLine((line) => JSON.stringify(line).includes('CS_ERR_CONNECT_LIMIT'));
    expect(JSON.stringify(refused)).toContain('more than maxConnectors allows (20000)');
    const seen = statusPolls();
    await until(() => statusPolls() >= seen + 2);
    const grown = peakRss(sentinel.child.pid!) - baseline;
    expect(grown).toBeLessThan(3 * body.length);
    expect(sentinel.lines.filter((line) => JSON.stringify(line).includes('CS_ERR_CONNECT_LIMIT'))).toHaveLength(1);
  });
});

describe('a cluster whose series pass maxExpositionSize', () => {
  it('is shown with its last series marked down, restarts nothing, logs once, and recovers once the bound is raised', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(3)));
    const service = await serviceFor(server, '    maxExpositionSize: 64KiB');
    await service.app.pollAll();
    const before = await service.scrape();
    // 300 connectors of 3 tasks, the first task of the first one FAILED: about 300 kB of series.
    const failedFirstTask = listing(300, 3).toString().replace('{"id":0,"state":"RUNNING","worker_id":"w:8083"}', '{"id":0,"state":"FAILED","worker_id":"w:8083","trace":"x"}');
    server.fault = answer(Buffer.from(failedFirstTask));
    await service.app.pollAll();
    await service.app.pollAll();

    const during = await service.scrape();
    expect(service.value(during.body, UP)).toBe(0);
    expect(service.value(during.body, LIMIT_ERRORS)).toBe(2);
    expect(service.value(during.body, TASK_RUNNING)).toBe(1);
    expect(during.body).not.toContain('connector="n0"');
    expect(service.value(during.body, 'kafka_connect_last_poll_success_timestamp_seconds{connect_cluster="prod"}')).toBe(
      service.value(before.body, 'kafka_connect_last_poll_success_timestamp_seconds{connect_cluster="prod"}'),
    );
    expect(server.restartPosts()).toEqual([]);
    expect(service.log.matching('pass maxExpositionSize')).toHaveLength(1);
    expect(JSON.stringify(service.log.matching('pass maxExpositionSize')[0])).toContain('more than maxExpositionSize allows (65536)');

    await service.writeConfig(configFor(server, '    maxExpositionSize: 1MiB'));
    expect((await service.app.reload()).ok).toBe(true);
    await service.app.pollAll();
    const after = await service.scrape();
    expect(service.value(after.body, UP)).toBe(1);
    expect(service.value(after.body, 'kafka_connect_task_state{connect_cluster="prod",connector="n0",task="0",state="failed"}')).toBe(1);
    expect(server.restartPosts().length).toBeGreaterThan(0);
    expect(service.log.matching('fit within maxExpositionSize again')).toHaveLength(1);
  });
});

describe('long names', () => {
  it('are cut in labels with a hash, so a 200 KB name with 300 tasks gives a small valid exposition, names kept apart', async () => {
    const server = cleanups.add(await startFaultServer({}));
    const service = await serviceFor(server);
    const long = 'n'.repeat(200_000);
    // Two names alike but for their last character: cut, they must still be two connectors.
    const body = listing(2, 300, (i) => `${long}${i}`);
    server.fault = answer(body);
    await service.app.pollAll();

    const scrape = await service.scrape();
    expect(service.value(scrape.body, UP)).toBe(1);
    const names = new Set([...scrape.body.matchAll(/connector="([^"]*)"/g)].map((match) => match[1]!));
    expect(names.size).toBe(2);
    for (const name of names) expect(name).toMatch(new RegExp(`^n{${MAX_LABEL_VALUE_LENGTH - 17}}…[0-9a-f]{16}$`));
    // Unbounded, each of the ~5,000 series would carry 200 KB: about a gigabyte.
    expect(Buffer.byteLength(scrape.body)).toBeLessThan(8 * body.length);
    const check = promtoolCheckMetrics(scrape.body);
    expect(check.output).not.toMatch(/error/i);
    expect(check.status).toBe(0);
  });
});
