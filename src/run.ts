// The command: flags, config, signals and the exit code. Everything else is in openService (service.ts). src/main.ts loads it once
// it has caught SIGHUP, which must not end the process while these modules load.

import { parseArgs, usage } from './cli.ts';
import type { CliOptions } from './config/flags.ts';
import { loadConfigFile, type LoadedConfig } from './config/load.ts';
import { configFromFlags } from './config/flags.ts';
import { ConfigStore } from './config/config-store.ts';
import { errorMessage, errorSummary } from './errors.ts';
import { startDemo } from './demo.ts';
import { openService, StartupError, type Service } from './service.ts';
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
    process.stderr.write(`connect-sentinel: ${errorMessage(err)}\n\n${usage()}`);
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

  if (args.configCheck) {
    let config: ConfigStore;
    try {
      config = await ConfigStore.open({ load, now: Date.now, onListenerError: () => {} });
    } catch (err) {
      process.stderr.write(`connect-sentinel: ${errorMessage(err)}\n`);
      await demo?.close();
      return 1;
    }
    const { clusters } = config.current();
    process.stdout.write(`${args.configFile ?? 'flags'}: configuration is valid (${clusters.length} cluster(s))\n`);
    clusters.forEach((cluster, index) => {
      if (cluster.tls?.insecureSkipVerify) {
        process.stderr.write(`warning: clusters[${index}] "${cluster.name}": tls.insecureSkipVerify is on: worker certificates are not verified\n`);
      }
    });
    return 0;
  }

  let service: Service;
  try {
    service = await openService({ load, version: VERSION });
  } catch (err) {
    if (!(err instanceof StartupError && err.logged)) process.stderr.write(`connect-sentinel: ${errorMessage(err)}\n`);
    await demo?.close();
    return 1;
  }
  const { app, config, logger } = service;
  const { web } = config.current();
  try {
    await app.server.listen({ host: web.host ?? '::', port: web.port });
  } catch (err) {
    logger.fatal({ err: errorSummary(err) }, `Cannot listen on ${web.listenAddress}`);
    await service.close();
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
        await service.close();
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

