// A faithful Kafka Connect REST simulator for tests, the demo and benchmarks (packages/simulator/README.md).

import { SimulatorError } from './errors.ts';
import type { BasicAuthCredentials } from './auth.ts';
import { SimCluster, type ConnectorSpec } from './cluster.ts';
import { Faults, type Clock } from './faults.ts';
import type { Fleet } from './fleet.ts';
import { Herder } from './herder.ts';
import { seededRandom } from './random.ts';
import { RequestLog } from './request-log.ts';
import { RestartEngine, type RestartMode } from './restarts.ts';
import { SCENARIOS, type Scenario, type ScenarioContext, type ScenarioName } from './scenarios.ts';
import { buildServer, type TlsOptions } from './server.ts';
import { kafkaProfile, type KafkaProfile } from './version.ts';

export type { BasicAuthCredentials } from './auth.ts';
export { isSimulatorError, SIMULATOR_ERROR_CODES, SimulatorError, type SimulatorErrorCode } from './errors.ts';
export { CONNECTOR_PLUGINS, connectorPlugin, type ConnectorPlugin } from './catalogue.ts';
export {
  SimCluster,
  type ConnectorSpec,
  type ConnectorType,
  type ConnectorView,
  type FailureInput,
  type InstanceState,
  type InstanceView,
  type RestartScript,
  type TargetState,
  type TaskSpec,
  type WireState,
} from './cluster.ts';
export { FAILURE_KINDS, failureSpec, type FailureKind } from './failures.ts';
export { Faults, STARTUP_PHASES, type Clock, type StartupPhase } from './faults.ts';
export { churn, generateFleet, type ChurnOptions, type ChurnSummary, type Fleet, type FleetOptions } from './fleet.ts';
export { javaInstant } from './herder.ts';
export { seededRandom, type Random } from './random.ts';
export { RequestLog, type LoggedRequest, type RequestFilter } from './request-log.ts';
export type { RestartMode } from './restarts.ts';
export { SCENARIO_NAMES, SCENARIOS, type Scenario, type ScenarioContext, type ScenarioName, type ScenarioStep } from './scenarios.ts';
export type { TlsOptions } from './server.ts';
export { executorStack, javaTrace, workerStack, type ExceptionSpec, type TraceSite, type TraceSpec } from './traces.ts';
export { kafkaProfile, type Feature, type KafkaProfile, type KafkaVersion } from './version.ts';

export interface SimulatorOptions {
  /** As `GET /` reports it: `2.2.2`, `3.9.0`, `7.5.0-ccs` … Behaviour follows the Apache Kafka version. Default `3.9.0`. */
  version?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Turns on the basic-auth extension. */
  basicAuth?: BasicAuthCredentials;
  tls?: TlsOptions;
  /** For timestamps (request log, herder stages). Default: the system clock. */
  clock?: Clock;
  /** `manual` (default): restarts settle only when `settle()` is called. `auto`: after `restartDelayMs`. */
  restartMode?: RestartMode;
  /** Default 2000. */
  restartDelayMs?: number;
  /** Worker ids, as `worker_id` shows them. Default: the fleet's, or `connect-1:8083` … `connect-3:8083`. */
  workers?: readonly string[];
  /** How long queued requests wait for a busy herder before a 500. Default 90 000, as in Connect. */
  queuedTimeoutMs?: number;
  /** How long `/health` waits for a busy herder. Default 10 000, as in Connect. */
  healthTimeoutMs?: number;
  /** `commit` in `GET /`; default: a fixed value per version. */
  commit?: string;
  /** `kafka_cluster_id` in `GET /` (1.1+). */
  kafkaClusterId?: string;
  /** `topic.tracking.enable`; false makes `/topics` answer 403. Default true. */
  topicTracking?: boolean;
  /** A named or custom scenario: its setup runs before the server listens. */
  scenario?: ScenarioName | Scenario;
  /** Auto mode: time between scenario steps. Default 30 000. */
  scenarioIntervalMs?: number;
  /** Connectors to create at start (after the scenario's). */
  connectors?: readonly ConnectorSpec[];
  /** A generated fleet: its connectors, and its workers unless `workers` is given. */
  fleet?: Fleet;
  /** Requests kept in `requests`. Default 100 000. */
  requestLogLimit?: number;
}

export interface Simulator {
  /** `http://127.0.0.1:PORT` (https with `tls`). */
  readonly url: string;
  readonly port: number;
  readonly profile: KafkaProfile;
  readonly cluster: SimCluster;
  readonly faults: Faults;
  readonly requests: RequestLog;
  /** Restart transitions requested but not yet visible. */
  readonly pendingTransitions: number;
  /** Makes every pending restart transition visible now; returns how many there were. */
  settle(): number;
  /** Runs the scenario's next step and returns what it did; undefined when the scenario has no steps. */
  step(): string | undefined;
  close(): Promise<void>;
}

const DEFAULT_WORKERS = ['connect-1:8083', 'connect-2:8083', 'connect-3:8083'];
const SYSTEM_CLOCK: Clock = { now: () => Date.now() };
/** Commits of the releases in the captures; other versions get a stable made-up one. */
const KNOWN_COMMITS: Record<string, string> = { '2.1.1': '21234bee31165527', '3.9.0': 'a60e31147e6b01ee' };

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const profile = kafkaProfile(options.version ?? '3.9.0');
  const clock = options.clock ?? SYSTEM_CLOCK;
  const cluster = new SimCluster(profile, options.workers ?? options.fleet?.workers ?? DEFAULT_WORKERS);
  let dropConnections = (): void => {};
  const faults = new Faults(clock, {
    changed: () => {
      if (faults.startupPhase === 'refused') dropConnections();
      herder.wake();
    },
  });
  const herder = new Herder(faults, profile);
  const mode = options.restartMode ?? 'manual';
  const restarts = new RestartEngine(cluster, mode, options.restartDelayMs ?? 2000);
  const requests = new RequestLog(options.requestLogLimit);

  const scenario = typeof options.scenario === 'string' ? SCENARIOS[options.scenario] : options.scenario;
  if (options.scenario !== undefined && scenario === undefined) {
    throw new SimulatorError('SIM_ERR_UNSUPPORTED', `unknown scenario "${String(options.scenario)}"`);
  }
  const scenarioContext: ScenarioContext = { cluster, faults, profile };
  scenario?.setup(scenarioContext);
  if (options.connectors !== undefined) cluster.load(options.connectors);
  if (options.fleet !== undefined) cluster.load(options.fleet.connectors);

  const server = buildServer(
    {
      profile,
      cluster,
      faults,
      herder,
      restarts,
      requests,
      clock,
      basicAuth: options.basicAuth,
      queuedTimeoutMs: options.queuedTimeoutMs ?? 90_000,
      healthTimeoutMs: options.healthTimeoutMs ?? 10_000,
      topicTracking: options.topicTracking ?? true,
      serverInfo: serverInfo(profile, options),
    },
    options.tls,
  );
  dropConnections = server.dropConnections;
  const host = options.host ?? '127.0.0.1';
  await server.app.listen({ host, port: options.port ?? 0 });
  const address = server.app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  let nextStep = 0;
  const step = (): string | undefined => {
    if (scenario === undefined || scenario.steps.length === 0) return undefined;
    const current = scenario.steps[nextStep % scenario.steps.length]!;
    nextStep++;
    current.run(scenarioContext);
    return current.description;
  };
  const stepTimer =
    mode === 'auto' && scenario !== undefined && scenario.steps.length > 0
      ? setInterval(step, options.scenarioIntervalMs ?? 30_000).unref()
      : undefined;

  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${urlHost(host)}:${port}`,
    port,
    profile,
    cluster,
    faults,
    requests,
    get pendingTransitions() {
      return restarts.pending;
    },
    settle: () => restarts.settle(),
    step,
    close: async () => {
      clearInterval(stepTimer);
      restarts.close();
      herder.close();
      await server.app.close();
    },
  };
}

function serverInfo(profile: KafkaProfile, options: SimulatorOptions): string {
  const commit = options.commit ?? KNOWN_COMMITS[profile.version] ?? seededRandom(hashOf(profile.version)).hex(16);
  const clusterId = options.kafkaClusterId ?? 'Q1Fq7GhXRq2mXs3cVb9t0w';
  return JSON.stringify(
    profile.has('clusterId')
      ? { version: profile.version, commit, kafka_cluster_id: clusterId }
      : { version: profile.version, commit },
  );
}

function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
