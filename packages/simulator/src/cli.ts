// The simulator's command line: `--flag value` or `--flag=value`. Pure: file reading happens in main.ts.

import { parseArgs } from 'node:util';
import { SimulatorError } from './errors.ts';
import type { FleetOptions } from './fleet.ts';
import type { RestartMode } from './restarts.ts';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.ts';

export const SIMULATOR_USAGE = `Usage: node packages/simulator/src/main.ts [flags]

A simulated Kafka Connect REST API (see packages/simulator/README.md).

  --kafka-version VERSION      as GET / reports it, e.g. 2.2.2, 3.9.0, 7.5.0-ccs (default 3.9.0)
  --host HOST                  default 127.0.0.1
  --port PORT                  default 8083
  --scenario NAME|none         ${SCENARIO_NAMES.join(', ')} (default demo)
  --basic-auth USER:PASSWORD   require basic auth, as the Connect extension does
  --tls-cert FILE --tls-key FILE  serve https
  --restart-mode auto|manual   auto: restarts settle after --restart-delay-ms (default auto)
  --restart-delay-ms MS        default 2000
  --step-interval-ms MS        time between scenario steps (default 30000)
  --fleet CONNECTORS           add a generated fleet of this many connectors
  --tasks-per-connector N      for --fleet (default 2)
  --failed-share FRACTION      for --fleet: share of FAILED tasks (default 0.01)
  --seed N                     for --fleet (default 1)
  --help`;

export interface SimulatorCli {
  version: string;
  host: string;
  port: number;
  scenario: ScenarioName | undefined;
  basicAuth: { username: string; password: string } | undefined;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  restartMode: RestartMode;
  restartDelayMs: number;
  scenarioIntervalMs: number;
  fleet: FleetOptions | undefined;
}

export function parseSimulatorArgs(argv: readonly string[]): SimulatorCli | { help: true } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'kafka-version': { type: 'string', default: '3.9.0' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8083' },
        scenario: { type: 'string', default: 'demo' },
        'basic-auth': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'restart-mode': { type: 'string', default: 'auto' },
        'restart-delay-ms': { type: 'string', default: '2000' },
        'step-interval-ms': { type: 'string', default: '30000' },
        fleet: { type: 'string' },
        'tasks-per-connector': { type: 'string', default: '2' },
        'failed-share': { type: 'string', default: '0.01' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    throw usage((err as Error).message);
  }
  if (values.help) return { help: true };

  const scenario = values.scenario;
  if (scenario !== 'none' && !(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    throw usage(`--scenario must be one of ${[...SCENARIO_NAMES, 'none'].join(', ')}, not "${scenario}"`);
  }
  const restartMode = values['restart-mode'];
  if (restartMode !== 'auto' && restartMode !== 'manual') throw usage(`--restart-mode must be auto or manual, not "${restartMode}"`);
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
    throw usage('--tls-cert and --tls-key go together');
  }
  const fleet: FleetOptions = {
    connectors: values.fleet === undefined ? 0 : integer('--fleet', values.fleet, 1, 1_000_000),
    tasksPerConnector: integer('--tasks-per-connector', values['tasks-per-connector'], 0, 1000),
    failedShare: share(values['failed-share']),
    seed: integer('--seed', values.seed, 0, 2 ** 31),
  };
  return {
    version: values['kafka-version'],
    host: values.host,
    port: integer('--port', values.port, 0, 65535),
    scenario: scenario === 'none' ? undefined : (scenario as ScenarioName),
    basicAuth: values['basic-auth'] === undefined ? undefined : credentials(values['basic-auth']),
    tlsCertFile: values['tls-cert'],
    tlsKeyFile: values['tls-key'],
    restartMode,
    restartDelayMs: integer('--restart-delay-ms', values['restart-delay-ms'], 0, 86_400_000),
    scenarioIntervalMs: integer('--step-interval-ms', values['step-interval-ms'], 1, 86_400_000),
    fleet: values.fleet === undefined ? undefined : fleet,
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw usage(`${flag} must be an integer from ${min} to ${max}, not "${text}"`);
  return value;
}

function share(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value >= 0 && value <= 1)) throw usage(`--failed-share must be a number from 0 to 1, not "${text}"`);
  return value;
}

/** `user:password`; the password may itself hold colons. */
function credentials(text: string): { username: string; password: string } {
  const colon = text.indexOf(':');
  if (colon <= 0) throw usage('--basic-auth must be USER:PASSWORD');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function usage(message: string): SimulatorError {
  return new SimulatorError('SIM_ERR_USAGE', message);
}
