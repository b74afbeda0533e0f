// The command: flags, config, signals and the exit code. Everything else is in buildApp. src/main.ts loads it once
// it has caught SIGHUP, which must not end the process while these modules load.

import type { Logger } from 'pino';
import { parseArgs, usage } from './cli.ts';
import type { CliOptions } from './config/flags.ts';
import { loadConfigFile, type LoadedConfig } from './config/load.ts';
import { configFromFlags } from './config/flags.ts';
import { ConfigStore } from './config/store.ts';
import { buildApp } from './app.ts';
import { startDemo } from './demo.ts';
import { errorSummary, isSentinelError } from './errors.ts';
import { createLogger } from './logger.ts';
import { openHistoryStore } from './restart/store.ts';
import { VERSION } from './version.ts';

/** How long SIGTERM waits for in-flight work before giving up. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

export interface EarlySignals {
  /** Stops catching SIGHUP for start-up; true when one arrived meanwhile. */
  takeReloadRequest(): boolean;
}

export async function run(argv: string[], early: EarlySignals): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`connect-sentinel: ${err instanceof Error ? err.message : String(err)}\n\n${usage()}`);
    return 2;
  }
  if ('help' in args) {
    process.stdout.write(usage());
    return 0;
  }
  if ('version' in args) {
    process.stdout.write(`connect-sentinel ${VERSION} (node ${process.versions.node})\n`);
    return 0;
  }

  const demo = args.demo ? await startDemo(args.overrides) : undefined;
  const load = (): Promise<LoadedConfig> => (demo ? demo.load() : loadFromArgs(args));

  let logger: Logger | undefined;
  let config: ConfigStore;
  try {
    config = await ConfigStore.open({
      load,
      now: Date.now,
      onListenerError: (err) => logger?.error({ err: { message: String(err) } }, 'Applying the new config failed'),
    });
  } catch (err) {
    process.stderr.write(`connect-sentinel: ${err instanceof Error ? err.message : String(err)}\n`);
    await demo?.close();
    return 1;
  }
  if (args.configCheck) {
    const { clusters } = config.current();
    process.stdout.write(`${args.configFile ?? 'flags'}: configuration is valid (${clusters.length} cluster(s))\n`);
    clusters.forEach((cluster, index) => {
      if (cluster.tls?.insecureSkipVerify) {
        process.stderr.write(`warning: clusters[${index}] "${cluster.name}": tls.insecureSkipVerify is on: worker certificates are not verified\n`);
      }
    });
    return 0;
  }
  logger = createLogger(config.current().log.level);

  let history;
  try {
    history = await openHistoryStore({ dataDir: config.current().dataDir, logger: logger.child({ component: 'history' }) });
  } catch (err) {
    logger.fatal({ err: { code: isSentinelError(err) ? err.code : undefined, message: err instanceof Error ? err.message : String(err) } }, 'Cannot open the restart history');
    await demo?.close();
    return 1;
  }

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ config, history, logger, version: VERSION });
  } catch (err) {
    logger.fatal({ err: errorSummary(err) }, 'Cannot start connect-sentinel');
    await history.close();
    await demo?.close();
    return 1;
  }
  const { web } = config.current();
  try {
    await app.server.listen({ host: web.host ?? '::', port: web.port });
  } catch (err) {
    logger.fatal({ err: { message: err instanceof Error ? err.message : String(err) } }, `Cannot listen on ${web.listenAddress}`);
    await app.close();
    await history.close();
    await demo?.close();
    return 1;
  }
  app.start();
  // The port actually bound: with port 0 in the listen address, the system picked it.
  const bound = app.server.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : web.port;
  logger.info(
    { version: VERSION, listen: web.listenAddress, port, clusters: config.current().clusters.map((c) => c.name), data_dir: config.current().dataDir },
    'connect-sentinel started',
  );
  if (demo) logger.info(demo.banner(port), 'Demo mode: watching simulated Kafka Connect clusters');

  process.on('SIGHUP', () => {
    void app.reload();
  });
  if (early.takeReloadRequest()) {
    logger.info('SIGHUP arrived during start-up; reloading the configuration now');
    void app.reload();
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        logger.warn({ signal }, 'Second signal: exiting at once');
        resolve(1);
        return;
      }
      stopping = true;
      logger.info({ signal }, 'Shutting down');
      const timer = setTimeout(() => {
        logger.error('Shutdown took too long; exiting with work unfinished');
        resolve(1);
      }, SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      void (async () => {
        await app.close();
        await history.close();
        await demo?.close();
        clearTimeout(timer);
        logger.info('Stopped');
        resolve(0);
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

function loadFromArgs(args: CliOptions): Promise<LoadedConfig> {
  return args.configFile !== undefined
    ? loadConfigFile(args.configFile, process.env, { overrides: args.overrides })
    : configFromFlags(args);
}

