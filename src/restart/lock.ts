// One connect-sentinel per data directory: two instances sharing a history would each think they own the budgets.
// The lock file is created complete and atomically (written under a private name, then hard-linked into place, which
// fails if the lock exists), so a reader never sees a half-written lock. It names the pid, host and start time.

import { join } from 'node:path';
import type { Logger } from 'pino';
import { SentinelError } from '../errors.ts';
import { errorCode, type StoreFs } from '../storage/fs.ts';

export const LOCK_FILE = 'connect-sentinel.lock';

export interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Tells this instance's lock from an earlier one with the same pid (containers restart as pid 1). */
  token: string;
}

export interface LockOptions {
  dataDir: string;
  fs: StoreFs;
  logger: Logger;
  owner: LockOwner;
  isProcessAlive: (pid: number) => boolean;
}

export interface HeldLock {
  release(): Promise<void>;
}

const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return errorCode(error) === 'EPERM';
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.startedAt === 'string') {
      return { pid: value.pid, hostname: value.hostname, startedAt: value.startedAt, token: String(value.token ?? '') };
    }
  } catch {
    // A damaged lock file owns nothing.
  }
  return undefined;
}

async function createLock(fs: StoreFs, path: string, content: string, token: string): Promise<void> {
  const staging = `${path}.${token}`;
  await fs.writeFileDurably(staging, content);
  try {
    await fs.link(staging, path);
  } catch (error) {
    if (!LINK_UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
    // File systems without hard links: an exclusive create is the next best thing.
    await fs.createExclusive(path, content);
  } finally {
    await fs.unlink(staging).catch(() => undefined);
  }
}

/** Takes the lock, or throws CS_ERR_STORE_LOCKED naming the directory and the other process. Other I/O errors are rethrown as they are. */
export async function acquireLock(options: LockOptions): Promise<HeldLock> {
  const { dataDir, fs, logger, owner } = options;
  const path = join(dataDir, LOCK_FILE);
  const content = `${JSON.stringify(owner)}\n`;
  for (let round = 0; round < 2; round++) {
    try {
      await createLock(fs, path, content, owner.token);
      return {
        async release() {
          // Only our own lock: never delete one a successor took over.
          const current = parseOwner(await fs.readFile(path).catch(() => ''));
          if (current?.token === owner.token) await fs.unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
    }
    const other = parseOwner(await fs.readFile(path).catch(() => ''));
    if (other !== undefined && (other.hostname !== owner.hostname || (other.pid !== owner.pid && options.isProcessAlive(other.pid)))) {
      const where = other.hostname === owner.hostname ? '' : ` on host ${other.hostname} (delete ${path} if that host is gone)`;
      throw new SentinelError(
        'CS_ERR_STORE_LOCKED',
        `data directory ${dataDir} is used by another connect-sentinel (pid ${other.pid}${where}, started ${other.startedAt}); ` +
          'give each instance its own dataDir',
      );
    }
    const why =
      other === undefined
        ? 'the lock file is damaged'
        : other.pid === owner.pid
          ? `it names this process's pid ${other.pid} from an earlier run`
          : `process ${other.pid} is no longer running`;
    logger.warn({ lock_file: path, previous_pid: other?.pid ?? null }, `taking over a stale lock on data directory ${dataDir}: ${why}`);
    await fs.unlink(path).catch((unlinkError: unknown) => {
      if (errorCode(unlinkError) !== 'ENOENT') throw unlinkError;
    });
  }
  throw new SentinelError('CS_ERR_STORE_LOCKED', `data directory ${dataDir} is used by another connect-sentinel (its lock file keeps reappearing)`);
}
