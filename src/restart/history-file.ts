// The durable restart history: `history.json` in the data directory, replaced atomically on every change.
//
// Write order: new content to `history.json.tmp-<pid>` and fsync it; the current file becomes `history.json.bak` (the
// previous good copy); the temp file is renamed over `history.json`; the directory is fsynced. A crash at any point
// leaves either the new file, or the old one, or (between the two renames) only the backup, which start-up uses.
//
// The poll loop saves after decide() and awaits it before sending restarts (write-ahead: a crash can then only
// over-count a restart, never forget one and exceed a budget), and again after the outcomes. Saves coalesce: a save
// while a write is in flight is written once that write ends, together with any later ones; a history that is
// already on disk (the same object) is not written again.
//
// A failing disk never throws into the poll loop: save() resolves false, `writable` turns false (auto-restart then
// refuses to restart, see DecideInput.historyWritable) and every later save tries again.

import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SentinelError, isSentinelError } from '../errors.ts';
import { decodeHistory, encodeHistory } from './history-codec.ts';
import { emptyHistory, type RestartHistory } from './history.ts';
import { acquireLock, isProcessAlive, type HeldLock, type LockOwner } from './lock.ts';
import { corruptFileName, errorCode, nodeStoreFs, type StoreFs } from '../storage/fs.ts';

export const HISTORY_FILE = 'history.json';
export const BACKUP_FILE = 'history.json.bak';

export interface HistoryStoreOptions {
  dataDir: string;
  logger: Logger;
  fs?: StoreFs;
  /** Unix ms; for the file's `savedAt` and the names of files moved aside. */
  now?: () => number;
  /** Who holds the lock; defaults to this process. */
  pid?: number;
  hostname?: string;
  isProcessAlive?: (pid: number) => boolean;
}

/**
 * Where the restart history is kept: this file store for a single instance, or the shared log of replicas coordinated
 * through Kafka (src/ha). The restart rounds and operator actions read `current()` and move it only through save().
 */
export interface HistoryStore {
  /** The history as recorded: the last successful save, or what open found (after any recovery), or an empty one. */
  current(): RestartHistory;
  /** Resolves true once `history` is durable on disk, false when the write failed. Never rejects. */
  save(history: RestartHistory): Promise<boolean>;
  /** The last write succeeded (or none failed yet). The exporter shows it as a metric. */
  readonly writable: boolean;
  /** Absolute or as given: the history file's path, for log lines and docs. */
  readonly path: string;
  /**
   * This replica may send restarts and save. The file store always may (its lock keeps a second process out); a
   * shared store only while it leads, its history then being that of every earlier leader.
   */
  readonly leading: boolean;
  /** The consumer group generation this replica last joined; 0 for the file store, which has no group. */
  readonly generation: number;
  /** Waits for pending writes, then releases the lock. Later saves resolve false. */
  close(): Promise<void>;
}

type ReadResult = { kind: 'ok'; history: RestartHistory } | { kind: 'missing' } | { kind: 'damaged'; problem: string };

async function readHistoryFile(fs: StoreFs, path: string): Promise<ReadResult> {
  let text: string;
  try {
    text = await fs.readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
    throw new SentinelError('CS_ERR_STORE_IO', `restart history ${path} cannot be read (${errorCode(error) ?? String(error)})`, { cause: error });
  }
  try {
    return { kind: 'ok', history: decodeHistory(text) };
  } catch (error) {
    return { kind: 'damaged', problem: error instanceof Error ? error.message : String(error) };
  }
}

/** Reads the history, moving damaged files aside and falling back to the backup; says in one log line what it did. */
async function recover(fs: StoreFs, dataDir: string, logger: Logger, now: number): Promise<{ history: RestartHistory; current: boolean }> {
  const file = join(dataDir, HISTORY_FILE);
  const backup = join(dataDir, BACKUP_FILE);
  const moveAside = async (path: string, problem: string): Promise<void> => {
    const aside = corruptFileName(path, now);
    await fs.rename(path, aside);
    logger.warn({ file: path, moved_to: aside }, `restart history ${path} is damaged (${problem}); moved it to ${aside}`);
  };

  const main = await readHistoryFile(fs, file);
  if (main.kind === 'ok') return { history: main.history, current: true };
  if (main.kind === 'damaged') await moveAside(file, main.problem);

  const previous = await readHistoryFile(fs, backup);
  if (previous.kind === 'ok') {
    const why = main.kind === 'missing' ? `${file} is missing (a write was interrupted)` : `${file} was damaged`;
    logger.warn({ file: backup }, `${why}; using the previous copy ${backup}: its last change may be lost`);
    return { history: previous.history, current: false };
  }
  if (previous.kind === 'damaged') await moveAside(backup, previous.problem);
  if (main.kind === 'missing' && previous.kind === 'missing') {
    logger.info({ file }, `no restart history at ${file} yet; starting with an empty one`);
  } else {
    logger.error({ file }, 'no usable restart history: restart budgets and backoffs start afresh');
  }
  return { history: emptyHistory(), current: false };
}

export async function openHistoryStore(options: HistoryStoreOptions): Promise<HistoryStore> {
  const { dataDir, logger } = options;
  const fs = options.fs ?? nodeStoreFs;
  const now = options.now ?? Date.now;
  const file = join(dataDir, HISTORY_FILE);
  const backup = join(dataDir, BACKUP_FILE);
  const owner: LockOwner = {
    pid: options.pid ?? process.pid,
    hostname: options.hostname ?? hostname(),
    startedAt: new Date(now()).toISOString(),
    token: randomUUID(),
  };
  const temp = join(dataDir, `${HISTORY_FILE}.tmp-${owner.pid}`);

  let lock: HeldLock | undefined;
  let lockProblem: string | undefined;
  const tryLock = async (): Promise<boolean> => {
    if (lock !== undefined) return true;
    try {
      await fs.mkdir(dataDir);
      lock = await acquireLock({ dataDir, fs, logger, owner, isProcessAlive: options.isProcessAlive ?? isProcessAlive });
      return true;
    } catch (error) {
      if (isSentinelError(error, 'CS_ERR_STORE_LOCKED')) throw error;
      // A read-only or full disk: run without history (auto-restart refuses) and keep trying at every save.
      lockProblem = errorCode(error) ?? String(error);
      return false;
    }
  };

  let writable = await tryLock();
  let loaded: RestartHistory = emptyHistory();
  let hasCurrentFile = false;
  if (writable) {
    try {
      const recovered = await recover(fs, dataDir, logger, now());
      loaded = recovered.history;
      hasCurrentFile = recovered.current;
    } catch (error) {
      if (errorCode(isSentinelError(error) ? error.cause : error) === 'EISDIR') {
        // A directory where the history belongs holds no history to lose: run as with an unwritable data directory.
        writable = false;
        logger.error({ file }, `restart history ${file} (or its backup) is a directory; auto-restart is off until it is removed`);
      } else {
        await lock?.release();
        if (isSentinelError(error)) throw error;
        const code = errorCode(error) ?? String(error);
        throw new SentinelError('CS_ERR_STORE_IO', `restart history in ${dataDir} cannot be recovered (${code})`, { cause: error });
      }
    }
  } else {
    logger.error({ data_dir: dataDir, code: lockProblem }, `data directory ${dataDir} is not writable (${lockProblem}); auto-restart is off until it is`);
    // Read what is there (without moving anything), so a later successful write does not drop it.
    const current = await readHistoryFile(fs, file).catch(() => ({ kind: 'missing' }) as const);
    if (current.kind === 'ok') {
      loaded = current.history;
      hasCurrentFile = true;
    }
  }

  let saved: RestartHistory | undefined = writable ? loaded : undefined;
  let closed = false;
  let queued: { history: RestartHistory; waiters: ((ok: boolean) => void)[] } | undefined;
  let writing: Promise<void> | undefined;

  const write = async (history: RestartHistory): Promise<boolean> => {
    try {
      if (!(await tryLock())) throw Object.assign(new Error(lockProblem ?? 'no lock'), { code: lockProblem });
      await fs.writeFileDurably(temp, encodeHistory(history, now()));
      if (hasCurrentFile) {
        await fs.rename(file, backup);
        hasCurrentFile = false;
      }
      await fs.rename(temp, file);
      hasCurrentFile = true;
      await fs.syncDirectory(dataDir);
      if (!writable) logger.info({ file }, `restart history ${file} is writable again; auto-restart resumes`);
      writable = true;
      saved = history;
      return true;
    } catch (error) {
      await fs.unlink(temp).catch(() => undefined);
      const code = errorCode(error) ?? (error instanceof Error ? error.message : String(error));
      if (code === 'ENOENT') {
        // The data directory was removed: the next write creates it again and takes the lock anew.
        lock = undefined;
        hasCurrentFile = false;
      }
      if (isSentinelError(error, 'CS_ERR_STORE_LOCKED')) {
        logger.error({ file }, error.message);
      } else if (writable) {
        logger.error({ file, code }, `restart history ${file} cannot be written (${code}); auto-restart is paused until a write succeeds, monitoring continues`);
      } else {
        logger.debug({ file, code }, 'restart history write failed again');
      }
      writable = false;
      return false;
    }
  };

  const pump = (): void => {
    if (writing !== undefined || queued === undefined) return;
    const batch = queued;
    queued = undefined;
    writing = write(batch.history).then((ok) => {
      writing = undefined;
      for (const resolve of batch.waiters) resolve(ok);
      pump();
    });
  };

  return {
    current: () => saved ?? loaded,
    leading: true,
    generation: 0,
    save(history) {
      if (closed) return Promise.resolve(false);
      if (history === saved && writable && queued === undefined && writing === undefined) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        if (queued === undefined) queued = { history, waiters: [resolve] };
        else {
          queued.history = history;
          queued.waiters.push(resolve);
        }
        pump();
      });
    },
    get writable() {
      return writable;
    },
    path: file,
    async close() {
      closed = true;
      while (writing !== undefined) await writing;
      await lock?.release();
      lock = undefined;
    },
  };
}
