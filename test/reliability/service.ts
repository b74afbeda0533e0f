// A whole connect-sentinel in-process, opened as run.ts opens it (openService) on a config file and a temp dir. Its log lines are captured through the real logger (with its redaction), at debug level unless told.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, AppDeps } from '../../src/app.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import type { HistoryStore } from '../../src/restart/history-file.ts';
import { openService } from '../../src/service.ts';
import type { StoreFs } from '../../src/storage/fs.ts';
import { captureLog, type CapturedLog } from '../support/log-capture.ts';

export interface ServiceOptions {
  /** The YAML; `dataDir` is set to a temp dir unless the text sets one. */
  config: string;
  /** Extra files next to the config (secrets, certificates), by name. */
  files?: Record<string, string | Buffer>;
  env?: Record<string, string>;
  fs?: StoreFs;
  logLevel?: string;
  createClient?: AppDeps['createClient'];
  /** Unix ms; default the system clock. */
  now?: () => number;
}

export interface Service {
  app: App;
  historyStore: HistoryStore;
  log: CapturedLog;
  dir: string;
  configPath: string;
  /** Replaces the config file's text (for reloads). */
  writeConfig(text: string): Promise<void>;
  scrape(headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** The value of one series in the last scrape, e.g. `kafka_connect_up{connect_cluster="a"}`; undefined when absent. */
  value(body: string, series: string): number | undefined;
  close(): Promise<void>;
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const dir = await mkdtemp(join(tmpdir(), 'cs-reliability-'));
  for (const [name, content] of Object.entries(options.files ?? {})) await writeFile(join(dir, name), content, { mode: 0o600 });
  const configPath = join(dir, 'sentinel.yaml');
  const withDataDir = (text: string) => (/^dataDir:/m.test(text) ? text : `${text}\ndataDir: ${JSON.stringify(join(dir, 'data'))}\n`);
  await writeFile(configPath, withDataDir(options.config));
  const logLevel = options.logLevel ?? 'debug';
  const log = captureLog(logLevel);
  const { app, historyStore, close } = await openService({
    load: () => loadConfigFile(configPath, options.env ?? {}),
    version: 'test',
    logDestination: log.destination,
    logLevel,
    ...(options.fs ? { storeFs: options.fs } : {}),
    ...(options.createClient ? { createClient: options.createClient } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  let closed = false;
  return {
    app,
    historyStore,
    log,
    dir,
    configPath,
    writeConfig: (text) => writeFile(configPath, withDataDir(text)),
    async scrape(headers = {}) {
      const response = await app.server.inject({ method: 'GET', url: '/metrics', headers });
      return { status: response.statusCode, body: response.body };
    },
    value: seriesValue,
    async close() {
      if (closed) return;
      closed = true;
      await close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The value of one series in a text exposition; `series` is the name with its labels exactly as rendered. */
export function seriesValue(body: string, series: string): number | undefined {
  for (const line of body.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}

/** Runs cleanups registered during a test, last first, even when one fails. */
export function cleanupList() {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  return {
    add<T extends { close(): Promise<unknown> | unknown }>(thing: T): T {
      cleanups.push(() => thing.close());
      return thing;
    },
    defer(cleanup: () => Promise<unknown> | unknown): void {
      cleanups.push(cleanup);
    },
    async run(): Promise<void> {
      const errors: unknown[] = [];
      while (cleanups.length > 0) {
        try {
          await cleanups.pop()?.();
        } catch (err) {
          errors.push(err);
        }
      }
      if (errors.length > 0) throw errors[0];
    },
  };
}
