// `node packages/simulator/src/main.ts --kafka-version 3.9.0 --port 8083 --scenario demo`: a simulated Connect worker to poke
// at with curl. Exit codes: 0 after SIGINT/SIGTERM, 2 for a bad command line, 1 when it cannot start.

import { readFile } from 'node:fs/promises';
import { isSimulatorError } from './errors.ts';
import { parseSimulatorArgs, SIMULATOR_USAGE } from './cli.ts';
import { generateFleet } from './fleet.ts';
import { startSimulator } from './index.ts';

async function main(argv: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseSimulatorArgs(argv);
  } catch (err) {
    if (!isSimulatorError(err, 'SIM_ERR_USAGE')) throw err;
    process.stderr.write(`${err.message}\n\n${SIMULATOR_USAGE}\n`);
    return 2;
  }
  if ('help' in cli) {
    process.stdout.write(`${SIMULATOR_USAGE}\n`);
    return 0;
  }
  const tls =
    cli.tlsCertFile === undefined || cli.tlsKeyFile === undefined
      ? undefined
      : { cert: await readFile(cli.tlsCertFile), key: await readFile(cli.tlsKeyFile) };
  const sim = await startSimulator({
    version: cli.version,
    host: cli.host,
    port: cli.port,
    restartMode: cli.restartMode,
    restartDelayMs: cli.restartDelayMs,
    scenarioIntervalMs: cli.scenarioIntervalMs,
    ...(cli.scenario === undefined ? {} : { scenario: cli.scenario }),
    ...(cli.basicAuth === undefined ? {} : { basicAuth: cli.basicAuth }),
    ...(tls === undefined ? {} : { tls }),
    ...(cli.fleet === undefined ? {} : { fleet: generateFleet(cli.fleet) }),
  });
  process.stdout.write(
    `Simulated Kafka Connect ${sim.profile.version} (${sim.profile.server}) with ${sim.cluster.size} connectors at ${sim.url}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
