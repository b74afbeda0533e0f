// The file operations of the data directory (the restart history, its lock and the state clocks), as a port: tests
// inject failures (ENOSPC, EROFS) that a real disk cannot be made to produce on demand.

import { open, mkdir, readFile, rename, link, unlink } from 'node:fs/promises';

export interface StoreFs {
  readFile(path: string): Promise<string>;
  /** Creates or truncates `path`, writes `data`, fsyncs and closes it. */
  writeFileDurably(path: string, data: string): Promise<void>;
  /** Like writeFileDurably, but fails with EEXIST when `path` exists. */
  createExclusive(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** A hard link: fails with EEXIST when `newPath` exists. */
  link(existing: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** fsync of a directory, so a rename inside it survives a power cut. */
  syncDirectory(path: string): Promise<void>;
  /** mkdir -p */
  mkdir(path: string): Promise<void>;
}

async function writeSynced(path: string, data: string, flags: 'w' | 'wx'): Promise<void> {
  const handle = await open(path, flags, 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Some file systems cannot fsync a directory; there the rename is as durable as the platform makes it. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP', 'EBADF']);

export const nodeStoreFs: StoreFs = {
  readFile: (path) => readFile(path, 'utf8'),
  writeFileDurably: (path, data) => writeSynced(path, data, 'w'),
  createExclusive: (path, data) => writeSynced(path, data, 'wx'),
  rename,
  link,
  unlink,
  async syncDirectory(path) {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } catch (error) {
      if (!DIRECTORY_SYNC_UNSUPPORTED.has(errorCode(error) ?? '')) throw error;
    } finally {
      await handle.close();
    }
  },
  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },
};

/** Where a damaged file is moved aside: `<path>.corrupt-<UTC time, compact>`, so that nothing is lost. */
export function corruptFileName(path: string, now: number): string {
  return `${path}.corrupt-${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
