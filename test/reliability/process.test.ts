// The real process: kill -9 at random moments while restart history is written, a second instance on the same data
// directory, and SIGTERM while a request hangs.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeHistory } from '../../src/restart/history-codec.ts';
import { LOCK_FILE } from '../../src/restart/lock.ts';
import { BACKUP_FILE, HISTORY_FILE } from '../../src/restart/history-file.ts';
import { generateFleet, seededRandom, startSimulator } from '../../packages/simulator/src/index.ts';
import { onStatusPoll, runningConnectors, startFaultServer } from './fault-server.ts';
import { spawnSentinel, type SentinelProcess } from './process.ts';
import { cleanupList, seriesValue } from './service.ts';

const cleanups = cleanupList();
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-process-'));
  cleanups.defer(() => rm(dir, { recursive: true, force: true }));
});
afterEach(() => cleanups.run());

async function writeConfig(text: string): Promise<string> {
  const path = join(dir, 'sentinel.yaml');
  await writeFile(path, `${text}\ndataDir: ${JSON.stringify(join(dir, 'data'))}\nweb:\n  listenAddress: 127.0.0.1:0\n`);
  return path;
}

function start(configPath: string): SentinelProcess {
  return cleanups.add(spawnSentinel([`--config.file=${configPath}`]));
}

/** What a fresh start would load: the history file, or its backup when the file is missing. Throws if neither decodes. */
async function historyOnDisk(): Promise<{ from: string; targets: number }> {
  const data = join(dir, 'data');
  for (const file of [HISTORY_FILE, BACKUP_FILE]) {
    const path = join(data, file);
    if (!existsSync(path)) continue;
    const history = decodeHistory(await readFile(path, 'utf8'));
    const targets = [...history.clusters.values()].reduce((sum, cluster) => sum + cluster.targets.size, 0);
    return { from: file, targets };
  }
  throw new Error('no history file and no backup');
}

describe('the connect-sentinel process', () => {
  it('survives kill -9 at random moments while writing history: every start finds it intact and takes the lock over', async () => {
    // 400 failed tasks: the history (about 250 kB) is rewritten at every poll, so kills land during writes too.
    const simulator = cleanups.add(
      await startSimulator({ version: '3.9.0', fleet: generateFleet({ connectors: 500, tasksPerConnector: 2, failedShare: 0.4, seed: 3 }) }),
    );
    const config = await writeConfig(`
clusters:
  - name: prod
    url: ${simulator.url}
    pollInterval: 1s
restart:
  enabled: true
  clusterSafety:
    rateLimit: { maxRestarts: 100000 }
  defaults:
    backoff: { initial: 1s, max: 2s, jitter: 0 }
    budget: { maxRestarts: 10000 }
`);
    const statusPolls = () => simulator.requests.count({ method: 'GET', path: '/connectors' });
    const random = seededRandom(20_251_124);
    const kills = 4;
    for (let round = 0; round < kills; round++) {
      const sentinel = start(config);
      await sentinel.waitForLine('connect-sentinel started');
      if (round > 0) {
        // The killed predecessor's lock is stale: taken over with a line saying so, and its history loaded.
        await sentinel.waitForLine('taking over a stale lock');
        expect(sentinel.lines.some((line) => String(line['msg']).includes('no usable restart history'))).toBe(false);
      }
      // Once the first history is on disk (before that there is nothing to lose), let it poll (every poll rewrites
      // the history: each troubled target's lastSeenAt moves), then kill at a random moment within a poll or two.
      await waitUntil(() => existsSync(join(dir, 'data', HISTORY_FILE)));
      const polled = statusPolls();
      await waitUntil(() => statusPolls() > polled);
      await new Promise((resolve) => setTimeout(resolve, random.below(1500)));
      sentinel.child.kill('SIGKILL');
      expect(await sentinel.exited).toBe('SIGKILL');

      // What the next start will load decodes, and holds the failed targets.
      const onDisk = await historyOnDisk();
      expect(onDisk.targets).toBeGreaterThan(0);
    }

    // A last start after the last kill, stopped cleanly: the lock is released and the history is current.
    const last = start(config);
    await last.waitForLine('connect-sentinel started');
    last.child.kill('SIGTERM');
    expect(await last.exited).toBe(0);
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(false);
    expect((await historyOnDisk()).from).toBe(HISTORY_FILE);
  });

  it('recovers from a torn history file at start with a clear log line, using the previous copy', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(2)));
    server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
    const config = await writeConfig(`clusters:\n  - name: prod\n    url: ${server.url}\nrestart:\n  enabled: true\n`);
    // Two clean runs leave a history file and its backup.
    for (let run = 0; run < 2; run++) {
      const sentinel = start(config);
      await sentinel.waitForLine((line) => line['outcome'] !== undefined || String(line['msg']).startsWith('skip'));
      sentinel.child.kill('SIGTERM');
      expect(await sentinel.exited).toBe(0);
    }
    // A file system without atomic rename, or a disk that lied about fsync: the file is cut in half.
    const file = join(dir, 'data', HISTORY_FILE);
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, text.length >> 1));

    const sentinel = start(config);
    await sentinel.waitForLine('connect-sentinel started');
    const damaged = await sentinel.waitForLine('is damaged');
    expect(damaged['level']).toBe('warn');
    expect(String(damaged['msg'])).toMatch(/history\.json is damaged \(.+\); moved it to .*history\.json\.corrupt-/);
    expect(String((await sentinel.waitForLine('using the previous copy'))['msg'])).toContain(BACKUP_FILE);
    sentinel.child.kill('SIGTERM');
    expect(await sentinel.exited).toBe(0);
    expect((await historyOnDisk()).targets).toBeGreaterThan(0);
  });

  it('kill -9 while a restart call is in flight: the restart was on disk before it was sent, and the next process does not send it again', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(2)));
    server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
    server.fault = (request) => (request.method === 'POST' ? { kind: 'hang' } : undefined);
    const config = await writeConfig(`clusters:\n  - name: prod\n    url: ${server.url}\n    pollInterval: 1s\nrestart:\n  enabled: true\n`);

    const first = start(config);
    await waitUntil(() => server.restartPosts().length === 1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const written = await historyOnDisk();
    expect(written).toMatchObject({ from: HISTORY_FILE, targets: 1 });

    // The task is still FAILED and Connect now answers restarts: a sentinel that forgot the restart would send it again.
    server.fault = () => undefined;
    const second = start(config);
    await second.waitForLine('taking over a stale lock');
    const polled = server.requests.filter((r) => r.url.startsWith('/connectors?')).length;
    await waitUntil(() => server.requests.filter((r) => r.url.startsWith('/connectors?')).length >= polled + 3);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    expect(server.restartPosts()).toHaveLength(1);
    const history = decodeHistory(await readFile(join(dir, 'data', HISTORY_FILE), 'utf8'));
    const target = [...history.clusters.get('prod')!.targets.values()][0]!;
    expect(target).toMatchObject({ attempt: 1, pending: null, lastOutcome: { result: 'restarted' } });
    expect(target.lastOutcome?.message).toContain('outcome not recorded');
  });

  it('on SIGTERM during a hung restart call: aborts it at once, keeps the restart on record, releases the lock and exits 0', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(2)));
    server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
    server.fault = (request) => (request.method === 'POST' ? { kind: 'hang' } : undefined);
    // A request timeout far beyond the shutdown bound (10 s): only aborting the call lets the process stop cleanly.
    const config = await writeConfig(`clusters:\n  - name: prod\n    url: ${server.url}\n    pollInterval: 10m\n    timeout: 10m\nrestart:\n  enabled: true\n`);
    const sentinel = start(config);
    await waitUntil(() => server.restartPosts().length === 1);

    sentinel.child.kill('SIGTERM');
    expect(await sentinel.exited).toBe(0);
    expect(sentinel.lines.some((line) => String(line['msg']).includes('took too long'))).toBe(false);
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(false);
    // Connect may have acted on the call: it stays recorded as a restart (not given back), so no double restart.
    const history = decodeHistory(await readFile(join(dir, 'data', HISTORY_FILE), 'utf8'));
    const target = [...history.clusters.get('prod')!.targets.values()][0]!;
    expect(target).toMatchObject({ attempt: 1, restarts: [expect.any(Number)], pending: { requested: false } });
  });

  it('a data directory that cannot be created (a file in its place, which stops root too): monitors without restarting, then recovers', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(2)));
    server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
    const data = join(dir, 'data');
    await writeFile(data, 'not a directory');
    const config = await writeConfig(`clusters:\n  - name: prod\n    url: ${server.url}\n    pollInterval: 1s\nrestart:\n  enabled: true\n`);
    const sentinel = start(config);
    expect(String((await sentinel.waitForLine('is not writable'))['msg'])).toContain('auto-restart is off until it is');
    const port = Number((await sentinel.waitForLine('connect-sentinel started'))['port']);
    const metric = async (series: string) => seriesValue(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), series);

    const polls = () => server.requests.filter((r) => r.url.startsWith('/connectors?')).length;
    await waitUntil(() => polls() >= 2);
    expect(await metric('kafka_connect_up{connect_cluster="prod"}')).toBe(1);
    expect(await metric('kafka_connect_task_state{connect_cluster="prod",connector="c000",task="0",state="failed"}')).toBe(1);
    expect(await metric('kafka_connect_exporter_history_writable')).toBe(0);
    expect(server.restartPosts()).toEqual([]);

    // The operator fixes the volume: the next poll writes the history, takes the lock, and only then restarts.
    await rm(data);
    await mkdir(data);
    await waitUntil(() => server.restartPosts().length > 0);
    expect(await metric('kafka_connect_exporter_history_writable')).toBe(1);
    expect(existsSync(join(data, LOCK_FILE))).toBe(true);
    sentinel.child.kill('SIGTERM');
    expect(await sentinel.exited).toBe(0);
    expect(await historyOnDisk()).toEqual({ from: HISTORY_FILE, targets: 1 });
  });

  it('refuses a second instance on the same data directory with a clear message, and leaves the first running', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(2)));
    const config = await writeConfig(`clusters:\n  - name: prod\n    url: ${server.url}\n`);
    const first = start(config);
    await first.waitForLine('connect-sentinel started');

    const second = start(config);
    expect(await second.exited).toBe(1);
    const refusal = second.lines.find((line) => line['level'] === 'fatal');
    expect(JSON.stringify(refusal)).toContain('CS_ERR_STORE_LOCKED');
    expect(String((refusal?.['err'] as { message?: string } | undefined)?.message)).toMatch(
      new RegExp(`data directory .* is used by another connect-sentinel \\(pid ${first.child.pid}`),
    );

    expect(first.child.exitCode).toBeNull();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('on SIGTERM aborts a hung request, flushes history, releases the lock and exits 0', async () => {
    const server = cleanups.add(await startFaultServer(runningConnectors(2)));
    server.fault = onStatusPoll({ kind: 'hang' });
    // A request timeout far beyond the test's: only aborting the request lets the process stop in time.
    const config = await writeConfig(`clusters:\n  - name: prod\n    url: ${server.url}\n    pollInterval: 10m\n    timeout: 10m\n`);
    const sentinel = start(config);
    await sentinel.waitForLine('connect-sentinel started');
    await waitUntil(() => server.requests.some((r) => r.url.startsWith('/connectors')));

    sentinel.child.kill('SIGTERM');
    expect(await sentinel.exited).toBe(0);
    await sentinel.waitForLine('Shutting down');
    await sentinel.waitForLine('Stopped');
    expect(existsSync(join(dir, 'data', LOCK_FILE))).toBe(false);
    // The aborted request was not reported as an outage of Kafka Connect.
    expect(sentinel.lines.filter((line) => String(line['msg']).includes('keeping the last known state'))).toEqual([]);
  });
});

/** Waits for something another process does (no event to listen to), checking every 10 ms. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
