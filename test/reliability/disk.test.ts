// A full disk or a read-only data directory, under the whole service. Tests run as root, which chmod does not stop,
// and mounting a read-only file system needs privileges CI may not have: the history store's file-system port is
// made to fail instead, exactly where the kernel would (ENOSPC on write, EROFS on every change).

import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../src/restart/lock.ts';
import { nodeStoreFs, type StoreFs } from '../../src/storage/fs.ts';
import { runningConnectors, startFaultServer, type FaultServer } from './fault-server.ts';
import { cleanupList, startService, type Service } from './service.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

const WRITABLE = 'kafka_connect_exporter_history_writable';
const WRITE_FAILURES = 'kafka_connect_exporter_history_write_failures_total';
const FAILED_TASK = 'kafka_connect_task_state{connect_cluster="prod",connector="c000",task="0",state="failed"}';

const systemError = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

/** The real file system, except that while `broken.code` is set every change fails with it. */
function breakableFs(broken: { code: string | undefined; lockToo: boolean }): StoreFs {
  const guard = (path: string) => {
    if (broken.code === undefined) return;
    if (!broken.lockToo && path.includes(LOCK_FILE)) return;
    throw systemError(broken.code);
  };
  return {
    ...nodeStoreFs,
    async writeFileDurably(path, data) {
      guard(path);
      await nodeStoreFs.writeFileDurably(path, data);
    },
    async createExclusive(path, data) {
      guard(path);
      await nodeStoreFs.createExclusive(path, data);
    },
    async rename(from, to) {
      guard(to);
      await nodeStoreFs.rename(from, to);
    },
    async link(existing, newPath) {
      guard(newPath);
      await nodeStoreFs.link(existing, newPath);
    },
    async mkdir(path) {
      guard(path);
      await nodeStoreFs.mkdir(path);
    },
  };
}

async function clusterWithFailedTask(): Promise<FaultServer> {
  const server = cleanups.add(await startFaultServer(runningConnectors(6)));
  server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
  return server;
}

async function serviceWith(server: FaultServer, fs: StoreFs): Promise<Service> {
  return cleanups.add(
    await startService({
      config: `clusters:\n  - name: prod\n    url: ${server.url}\napi:\n  tokenFile: api-token\nrestart:\n  enabled: true\n`,
      files: { 'api-token': 'operator-token\n' },
      fs,
    }),
  );
}

/** A healthy cluster polled once; then the disk fills up (ENOSPC on every write of the history) and a task fails. */
async function diskFullThenTaskFails(): Promise<{ server: FaultServer; broken: { code: string | undefined; lockToo: boolean }; service: Service }> {
  const server = cleanups.add(await startFaultServer(runningConnectors(6)));
  const broken = { code: undefined as string | undefined, lockToo: false };
  const service = await serviceWith(server, breakableFs(broken));
  await service.app.pollAll();
  broken.code = 'ENOSPC';
  server.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
  return { server, broken, service };
}

describe('restart history that cannot be written', () => {
  it('disk full: monitoring goes on, the metric and one log line say so, nothing is restarted until a write succeeds', async () => {
    const { server, broken, service } = await diskFullThenTaskFails();
    for (let poll = 0; poll < 3; poll++) await service.app.pollAll();
    const scrape = await service.scrape();
    expect(scrape.status).toBe(200);
    expect(service.value(scrape.body, 'kafka_connect_up{connect_cluster="prod"}')).toBe(1);
    expect(service.value(scrape.body, FAILED_TASK)).toBe(1);
    expect(service.value(scrape.body, WRITABLE)).toBe(0);
    expect(service.value(scrape.body, WRITE_FAILURES)).toBeGreaterThanOrEqual(1);
    expect(server.restartPosts()).toEqual([]);
    // Said once by the store (with the reason), once by the restart round that could not record its restart.
    const errors = service.log.lines().filter((line) => line['level'] === 'error');
    expect(errors.filter((line) => line['code'] === 'ENOSPC')).toHaveLength(1);
    expect(service.log.matching('not restarting anything until it can')).toHaveLength(1);

    // Operator actions cannot be recorded either: refused with 503, not silently dropped.
    const action = await service.app.server.inject({
      method: 'POST',
      url: '/api/v1/restarts/reset',
      headers: { authorization: 'Bearer operator-token' },
      payload: { cluster: 'prod', connector: 'c000' },
    });
    expect(action.statusCode).toBe(503);
    expect(action.json()).toMatchObject({ error: 'CS_ERR_STORE_IO' });

    broken.code = undefined;
    await service.app.pollAll();
    const healed = await service.scrape();
    expect(service.value(healed.body, WRITABLE)).toBe(1);
    expect(server.restartPosts().length).toBeGreaterThan(0);
    expect(service.log.matching('writable again')).toHaveLength(1);
  });

  it('disk full: a restart that was not sent leaves nothing behind, so none is counted once the disk recovers', async () => {
    const { server, broken, service } = await diskFullThenTaskFails();
    await service.app.pollAll();
    expect(server.restartPosts()).toEqual([]);

    broken.code = undefined;
    await service.app.pollAll();
    // The first real restart is sent at once, as for any first failure (this worker answers the bulk call as one
    // before Kafka 3.0 does, so the task is restarted on its own after it), and it is the only one counted.
    expect(server.restartPosts().map((r) => r.url)).toEqual(['/connectors/c000/restart?includeTasks=true&onlyFailed=true', '/connectors/c000/tasks/0/restart']);
    const listing = (await service.app.server.inject({ url: '/api/v1/restarts' })).json() as {
      targets: Array<{ connector: string; task: number | null; attempt: number; recentRestarts: number; lastOutcome: { message: string } | null }>;
    };
    const target = listing.targets.find((t) => t.connector === 'c000' && t.task === 0);
    expect(target).toMatchObject({ attempt: 1, recentRestarts: 1 });
    expect(JSON.stringify(listing)).not.toContain('not recorded');
  });

  it('a read-only data directory at start: it runs without history, refuses to restart, and starts restarting once writable', async () => {
    const server = await clusterWithFailedTask();
    const broken = { code: 'EROFS' as string | undefined, lockToo: true };
    const service = await serviceWith(server, breakableFs(broken));
    expect(service.log.matching('is not writable')).toHaveLength(1);

    for (let poll = 0; poll < 3; poll++) await service.app.pollAll();
    const scrape = await service.scrape();
    expect(service.value(scrape.body, 'kafka_connect_up{connect_cluster="prod"}')).toBe(1);
    expect(service.value(scrape.body, WRITABLE)).toBe(0);
    expect(server.restartPosts()).toEqual([]);

    broken.code = undefined;
    await service.app.pollAll();
    expect(service.value((await service.scrape()).body, WRITABLE)).toBe(1);
    expect(server.restartPosts().length).toBeGreaterThan(0);
  });
});
