import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSentinelError } from '../../src/errors.ts';
import { encodeHistory } from '../../src/restart/history-codec.ts';
import { emptyHistory, type RestartHistory } from '../../src/restart/history.ts';
import { LOCK_FILE } from '../../src/restart/lock.ts';
import { silence } from '../../src/restart/operator.ts';
import { nodeStoreFs, type StoreFs } from '../../src/storage/fs.ts';
import { BACKUP_FILE, HISTORY_FILE, openHistoryStore, type HistoryStoreOptions } from '../../src/restart/history-file.ts';
import { captureLog } from '../support/log-capture.ts';
import { CLUSTER, connectorStatus, HOUR, policyOf, simulate, T0 } from './helpers.ts';

const run = promisify(execFile);
const NODE = resolve('node_modules/.bin/node');
const STORE_MODULE = resolve('src/restart/history-file.ts');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-history-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function someHistory(connector = 'orders'): RestartHistory {
  return simulate({
    policy: policyOf(),
    start: T0,
    end: T0 + 60_000,
    interval: 15_000,
    connectorsAt: () => [connectorStatus(connector, 'failed', ['failed'])],
  }).history;
}

function open(options: Partial<HistoryStoreOptions> = {}, log = captureLog()) {
  return openHistoryStore({ dataDir: dir, logger: log.logger, now: () => T0, ...options });
}

const errorWith = (code: string) => Object.assign(new Error(`simulated ${code}`), { code });

/** The real file system, with writes of the history failing while `failing.code` is set. */
function flakyFs(failing: { code: string | undefined }): StoreFs {
  return {
    ...nodeStoreFs,
    async writeFileDurably(path, data) {
      if (failing.code !== undefined && !path.endsWith(LOCK_FILE) && !path.includes(`${LOCK_FILE}.`)) throw errorWith(failing.code);
      await nodeStoreFs.writeFileDurably(path, data);
    },
  };
}

describe('history store', () => {
  it('starts empty, saves atomically with a backup of the previous copy, and loads what it saved', async () => {
    const log = captureLog();
    const store = await open({}, log);
    expect((store.current()).clusters.size).toBe(0);
    expect(log.lines().map((line) => line.msg)).toEqual([`no restart history at ${join(dir, HISTORY_FILE)} yet; starting with an empty one`]);

    const first = someHistory('orders');
    const second = someHistory('payments');
    expect(await store.save(first)).toBe(true);
    expect(await store.save(second)).toBe(true);
    expect(await readFile(join(dir, HISTORY_FILE), 'utf8')).toBe(encodeHistory(second, T0));
    expect(await readFile(join(dir, BACKUP_FILE), 'utf8')).toBe(encodeHistory(first, T0));
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE, HISTORY_FILE, BACKUP_FILE].sort());
    await store.close();

    const again = await open();
    expect(encodeHistory(again.current(), T0)).toBe(encodeHistory(second, T0));
    await again.close();
  });

  it('writes an unchanged history only once, and coalesces saves made while a write is in flight', async () => {
    let writes = 0;
    let hold: Promise<void> | undefined;
    let release = () => {};
    const fs: StoreFs = {
      ...nodeStoreFs,
      async writeFileDurably(path, data) {
        if (path.includes('history.json.tmp')) {
          writes += 1;
          await hold;
        }
        await nodeStoreFs.writeFileDurably(path, data);
      },
    };
    const store = await open({ fs });
    const history = someHistory();
    expect(await store.save(history)).toBe(true);
    expect(await store.save(history)).toBe(true);
    expect(writes).toBe(1);

    hold = new Promise((resolve) => (release = resolve));
    const inFlight = store.save(someHistory('a'));
    const later = [store.save(someHistory('b')), store.save(someHistory('c')), store.save(someHistory('d'))];
    release();
    expect(await Promise.all([inFlight, ...later])).toEqual([true, true, true, true]);
    // The first write, then one for the three saves queued behind it.
    expect(writes).toBe(3);
    expect(await readFile(join(dir, HISTORY_FILE), 'utf8')).toBe(encodeHistory(someHistory('d'), T0));
    await store.close();
  });

  it('recovers from a torn write: the damaged file is moved aside and the backup is used', async () => {
    const store = await open();
    await store.save(someHistory('orders'));
    await store.save(someHistory('payments'));
    await store.close();
    const size = (await readFile(join(dir, HISTORY_FILE))).length;
    await truncate(join(dir, HISTORY_FILE), Math.floor(size / 2));

    const log = captureLog();
    const recovered = await open({}, log);
    expect(encodeHistory(recovered.current(), T0)).toBe(encodeHistory(someHistory('orders'), T0));
    const aside = `${HISTORY_FILE}.corrupt-20261124T100000Z`;
    expect(await readdir(dir)).toContain(aside);
    expect(log.lines().map((line) => [line.level, line.msg])).toEqual([
      ['warn', `restart history ${join(dir, HISTORY_FILE)} is damaged (the file is not JSON); moved it to ${join(dir, aside)}`],
      ['warn', `${join(dir, HISTORY_FILE)} was damaged; using the previous copy ${join(dir, BACKUP_FILE)}: its last change may be lost`],
    ]);
    // The next save writes a fresh file and keeps working.
    expect(await recovered.save(someHistory('x'))).toBe(true);
    await recovered.close();
  });

  it('starts empty, and says so, when neither the file nor its backup is usable', async () => {
    await writeFile(join(dir, HISTORY_FILE), '{"format":"connect-sentinel/restart-history","version":1,"clus');
    await writeFile(join(dir, BACKUP_FILE), '{"format":"other"}');
    const log = captureLog();
    const store = await open({}, log);
    expect((store.current()).clusters.size).toBe(0);
    expect((await readdir(dir)).filter((name) => name.includes('.corrupt-')).sort()).toEqual([
      `${BACKUP_FILE}.corrupt-20261124T100000Z`,
      `${HISTORY_FILE}.corrupt-20261124T100000Z`,
    ]);
    expect(log.lines().at(-1)).toMatchObject({ level: 'error', msg: 'no usable restart history: restart budgets and backoffs start afresh' });
    await store.close();
  });

  it('uses the backup when a write was interrupted between its two renames', async () => {
    await writeFile(join(dir, BACKUP_FILE), encodeHistory(someHistory(), T0));
    const log = captureLog();
    const store = await open({}, log);
    expect(encodeHistory(store.current(), T0)).toBe(encodeHistory(someHistory(), T0));
    expect(log.lines()[0]?.msg).toMatch(/is missing \(a write was interrupted\); using the previous copy/);
    await store.close();
  });

  it('reports a full disk without throwing, refuses until a write succeeds again, and says so once each way', async () => {
    const failing: { code: string | undefined } = { code: undefined };
    const log = captureLog();
    const store = await open({ fs: flakyFs(failing) }, log);
    const history = someHistory();
    failing.code = 'ENOSPC';
    expect(await store.save(history)).toBe(false);
    expect(store.writable).toBe(false);
    expect(await store.save(history)).toBe(false);
    failing.code = undefined;
    expect(await store.save(history)).toBe(true);
    expect(store.writable).toBe(true);
    const lines = log.lines().slice(1);
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      ['error', `restart history ${join(dir, HISTORY_FILE)} cannot be written (ENOSPC); auto-restart is paused until a write succeeds, monitoring continues`],
      ['debug', 'restart history write failed again'],
      ['info', `restart history ${join(dir, HISTORY_FILE)} is writable again; auto-restart resumes`],
    ]);
    expect((await readdir(dir)).some((name) => name.includes('.tmp'))).toBe(false);
    await store.close();
  });

  it('opens a read-only data directory without history and retries at every save', async () => {
    const failing: { code: string | undefined } = { code: 'EROFS' };
    const fs: StoreFs = {
      ...nodeStoreFs,
      async writeFileDurably(path, data) {
        if (failing.code !== undefined) throw errorWith(failing.code);
        await nodeStoreFs.writeFileDurably(path, data);
      },
    };
    await writeFile(join(dir, HISTORY_FILE), encodeHistory(someHistory(), T0));
    const log = captureLog();
    const store = await open({ fs }, log);
    expect(store.writable).toBe(false);
    expect((store.current()).clusters.size).toBe(1);
    expect(log.lines()[0]).toMatchObject({ level: 'error', msg: `data directory ${dir} is not writable (EROFS); auto-restart is off until it is` });
    expect(await store.save(someHistory('x'))).toBe(false);
    failing.code = undefined;
    expect(await store.save(someHistory('x'))).toBe(true);
    expect(await readdir(dir)).toContain(LOCK_FILE);
    await store.close();
  });

  it('refuses a second instance on the same directory, naming it and the other pid', async () => {
    const store = await open();
    const error = await open({ pid: 4242, isProcessAlive: () => true }).catch((caught: unknown) => caught);
    expect(isSentinelError(error, 'CS_ERR_STORE_LOCKED')).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^data directory ${dir} is used by another connect-sentinel \\(pid ${process.pid}, started 2026-11-24T10:00:00.000Z\\); give each instance its own dataDir$`));
    await store.close();
    // Released on close.
    const next = await open({ pid: 4242 });
    await next.close();
  });

  it('does not let a separate process take the lock', async () => {
    const store = await open();
    const script = join(dir, 'second.mts');
    await writeFile(
      script,
      `import { openHistoryStore } from ${JSON.stringify(STORE_MODULE)};
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
try {
  await openHistoryStore({ dataDir: ${JSON.stringify(dir)}, logger: quiet });
  console.log('opened');
} catch (error) {
  console.log(error.code, error.message);
}
`,
    );
    const { stdout } = await run(NODE, [script]);
    expect(stdout).toContain('CS_ERR_STORE_LOCKED');
    expect(stdout).toContain(`pid ${process.pid}`);
    expect(stdout).toContain(dir);
    await store.close();
  });

  it.each([
    ['a dead process', { pid: 999_999_999, hostname: 'this-host', startedAt: '2026-01-01T00:00:00Z', token: 'x' }, /process 999999999 is no longer running/],
    ['this pid from an earlier run', { pid: 7, hostname: 'this-host', startedAt: '2026-01-01T00:00:00Z', token: 'old' }, /names this process's pid 7 from an earlier run/],
    ['a damaged lock file', '{"pid":', /the lock file is damaged/],
  ])('takes over a stale lock left by %s, with a log line', async (_, content, why) => {
    await writeFile(join(dir, LOCK_FILE), typeof content === 'string' ? content : JSON.stringify(content));
    const log = captureLog();
    const store = await open({ pid: 7, hostname: 'this-host', isProcessAlive: (pid) => pid !== 999_999_999 }, log);
    expect(log.lines()[0]).toMatchObject({ level: 'warn' });
    expect(String(log.lines()[0]?.msg)).toMatch(why);
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 7, hostname: 'this-host' });
    await store.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('treats a lock held from another host as taken', async () => {
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, hostname: 'other-host', startedAt: '2026-01-01T00:00:00Z', token: 't' }));
    const error = await open({ hostname: 'this-host' }).catch((caught: unknown) => caught);
    expect(isSentinelError(error, 'CS_ERR_STORE_LOCKED')).toBe(true);
    expect((error as Error).message).toContain('on host other-host');
  });

  it('falls back to an exclusive create where hard links are not supported', async () => {
    const fs: StoreFs = { ...nodeStoreFs, link: async () => Promise.reject(errorWith('EPERM')) };
    const store = await open({ fs });
    expect(await store.save(silence(emptyHistory(), { cluster: CLUSTER, connector: 'a' }, T0 + HOUR, T0))).toBe(true);
    const second = await open({ fs, pid: 4242, isProcessAlive: () => true }).catch((caught: unknown) => caught);
    expect(isSentinelError(second, 'CS_ERR_STORE_LOCKED')).toBe(true);
    await store.close();
  });

  it('fails to open with CS_ERR_STORE_IO, releasing its lock, when a damaged file cannot be moved aside', async () => {
    await writeFile(join(dir, HISTORY_FILE), 'not json');
    const fs: StoreFs = { ...nodeStoreFs, rename: async () => Promise.reject(errorWith('EACCES')) };
    const error = await open({ fs }).catch((caught: unknown) => caught);
    expect(isSentinelError(error, 'CS_ERR_STORE_IO')).toBe(true);
    expect((error as Error).message).toBe(`restart history in ${dir} cannot be recovered (EACCES)`);
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('fails to open with CS_ERR_STORE_IO when the history cannot be read', async () => {
    const fs: StoreFs = { ...nodeStoreFs, readFile: async (path) => (path.endsWith(LOCK_FILE) ? nodeStoreFs.readFile(path) : Promise.reject(errorWith('EIO'))) };
    const error = await open({ fs }).catch((caught: unknown) => caught);
    expect(isSentinelError(error, 'CS_ERR_STORE_IO')).toBe(true);
    expect((error as Error).message).toBe(`restart history ${join(dir, HISTORY_FILE)} cannot be read (EIO)`);
  });

  it('creates the data directory and takes the lock again when the directory is removed while it runs', async () => {
    const log = captureLog();
    const store = await open({}, log);
    expect(await store.save(someHistory('a'))).toBe(true);
    await rm(dir, { recursive: true, force: true });
    expect(await store.save(someHistory('b'))).toBe(false);
    expect(store.writable).toBe(false);
    expect(await store.save(someHistory('c'))).toBe(true);
    expect(store.writable).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([HISTORY_FILE, LOCK_FILE].sort());
    expect(await readFile(join(dir, HISTORY_FILE), 'utf8')).toBe(encodeHistory(someHistory('c'), T0));
    await store.close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  });

  it('opens without history, like an unwritable data directory, when history.json is a directory; writes once it is gone', async () => {
    await mkdir(join(dir, HISTORY_FILE, 'inside'), { recursive: true });
    const log = captureLog();
    const store = await open({}, log);
    expect(store.writable).toBe(false);
    expect(store.current()).toEqual(emptyHistory());
    expect(log.lines().map((line) => line.msg)).toContain(`restart history ${join(dir, HISTORY_FILE)} (or its backup) is a directory; auto-restart is off until it is removed`);
    expect(await store.save(someHistory())).toBe(false);
    await rm(join(dir, HISTORY_FILE), { recursive: true });
    expect(await store.save(someHistory())).toBe(true);
    expect(store.writable).toBe(true);
    await store.close();
  });

  it('resolves saves after close as failed', async () => {
    const store = await open();
    await store.close();
    expect(await store.save(someHistory())).toBe(false);
  });
});
