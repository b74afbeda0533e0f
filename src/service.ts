// Opens the whole service from a way to load its config: config store → logger → history store (the locked file, or
// the shared log in Kafka with the `ha` section) → app. The command (run.ts), the test harnesses and the benchmarks
// all open it here, so that the wiring, and the order in which close() undoes it, exist once.

import type { DestinationStream, Logger } from 'pino';
import { buildApp, type App, type AppDeps } from './app.ts';
import type { LoadedConfig } from './config/load.ts';
import { ConfigStore } from './config/config-store.ts';
import { errorSummary } from './errors.ts';
import { createLogger } from './logger.ts';
import { openHistoryStore, type HistoryStore } from './restart/history-file.ts';
import type { StoreFs } from './storage/fs.ts';

export interface ServiceOptions {
  /** Loads (and reloads) the config; a rejection at open is the config's error. */
  load: () => Promise<LoadedConfig>;
  version: string;
  /**
   * Where the real logger (with its redaction) writes its JSON lines; default stdout. Its level is the config's,
   * unless `logLevel` says otherwise.
   */
  logDestination?: DestinationStream;
  logLevel?: string;
  /** Unix ms, for the config store, the history and the app. */
  now?: () => number;
  monotonicNow?: () => number;
  /** The data directory's file operations (tests inject failing disks). */
  storeFs?: StoreFs;
  createClient?: AppDeps['createClient'];
}

export interface Service {
  app: App;
  config: ConfigStore;
  historyStore: HistoryStore;
  logger: Logger;
  /** Closes the app, then the history store (which releases the data directory's lock). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * The service did not open. Past the config, the logger exists and has said why (`logged`); a bad config has no
 * logger yet, and the caller says it (run.ts: on stderr).
 */
export class StartupError extends Error {
  readonly logged: boolean;
  constructor(cause: unknown, logged: boolean) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'StartupError';
    this.logged = logged;
  }
}

export async function openService(options: ServiceOptions): Promise<Service> {
  const now = options.now ?? Date.now;
  let logger: Logger | undefined;
  let config: ConfigStore;
  try {
    config = await ConfigStore.open({
      load: options.load,
      now,
      onListenerError: (err) => logger?.error({ err: errorSummary(err) }, 'Applying the new config failed'),
    });
  } catch (err) {
    throw new StartupError(err, false);
  }
  const log = createLogger(options.logLevel ?? config.current().log.level, options.logDestination);
  logger = log;
  let historyStore: HistoryStore;
  try {
    const { ha, dataDir } = config.current();
    const historyLogger = log.child({ component: 'history' });
    // With replicas, the history lives in Kafka and leadership decides who restarts; alone, in the data directory.
    // The Kafka client is loaded only then: about 70 MB of resident memory that a single replica never uses.
    historyStore = ha
      ? await (await import('./ha/shared-history.ts')).openSharedHistory({ ha, logger: historyLogger, now })
      : await openHistoryStore({ dataDir, logger: historyLogger, now, ...(options.storeFs ? { fs: options.storeFs } : {}) });
  } catch (err) {
    log.fatal({ err: errorSummary(err) }, 'Cannot open the restart history');
    throw new StartupError(err, true);
  }
  let app: App;
  try {
    app = await buildApp({
      config,
      historyStore,
      logger: log,
      version: options.version,
      now,
      ...(options.monotonicNow ? { monotonicNow: options.monotonicNow } : {}),
      ...(options.createClient ? { createClient: options.createClient } : {}),
    });
  } catch (err) {
    log.fatal({ err: errorSummary(err) }, 'Cannot start connect-sentinel');
    await historyStore.close();
    throw new StartupError(err, true);
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    config,
    historyStore,
    logger: log,
    close() {
      closed ??= (async () => {
        await app.close();
        await historyStore.close();
      })();
      return closed;
    },
  };
}
