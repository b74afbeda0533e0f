// What a simulated worker of a given Kafka version does differently (docs/connect-rest-api.md §7, §8).
// Deliberately independent of src/connect/kafka-version.ts: the simulator is the oracle the client is tested against,
// so it must not share the client's parsing mistakes.

import { SimulatorError } from './errors.ts';

export interface KafkaVersion {
  major: number;
  minor: number;
}

/** First Apache Kafka version with each behaviour; `until` is the first version without it. */
const FEATURES = {
  /** `kafka_cluster_id` in `GET /` (KIP-238). */
  clusterId: { since: { major: 1, minor: 1 } },
  /** Task status keys in the order `id, state, worker_id, trace` (older Jackson wrote `state, trace, id, worker_id`). */
  currentKeyOrder: { since: { major: 2, minor: 2 } },
  /** `GET /connectors?expand=…` (KIP-465), and `GET /connectors` answered locally. */
  expand: { since: { major: 2, minor: 3 } },
  /** `GET /connectors/{name}/topics` (KIP-558). */
  topics: { since: { major: 2, minor: 5 } },
  /** Statuses of tasks removed by lowering the task count are deleted (KAFKA-9472). */
  ghostTaskCleanup: { since: { major: 2, minor: 6 } },
  /** `GET /connectors/{name}/tasks-config` (KIP-661), removed in 4.0. */
  tasksConfig: { since: { major: 2, minor: 8 }, until: { major: 4, minor: 0 } },
  /** `restart?includeTasks&onlyFailed` answering 202 with a plan, and the RESTARTING state (KIP-745). */
  restartPlan: { since: { major: 3, minor: 0 } },
  /** `connector-plugins?connectorsOnly=false` and plugin versions left out when "undefined" (KIP-769). */
  allPlugins: { since: { major: 3, minor: 2 } },
  /** STOPPED, `PUT /stop` and `GET /offsets` (KIP-875). */
  stop: { since: { major: 3, minor: 5 } },
  /** GET info/config/tasks run locally: a pending rebalance is a 500 instead of a 409 (KAFKA-14785). */
  localGets: { since: { major: 3, minor: 5 } },
  /** Timeout messages name the herder's stage (KAFKA-15563). */
  stagedTimeouts: { since: { major: 3, minor: 7 } },
  /** `GET /health` (KIP-1017). */
  health: { since: { major: 3, minor: 9 } },
  /** `version` in connector and task status entries (KIP-891). */
  statusVersion: { since: { major: 4, minor: 1 } },
} as const satisfies Record<string, { since: KafkaVersion; until?: KafkaVersion }>;

export type Feature = keyof typeof FEATURES;

/** Jetty of each Apache Kafka minor release (gradle/dependencies.gradle at the .0 tags; 4.x moved to Jetty 12). */
const JETTY_BY_KAFKA: ReadonlyArray<readonly [string, string]> = [
  ['1.0', '9.2.22.v20170606'],
  ['1.1', '9.2.24.v20180105'],
  ['2.0', '9.4.11.v20180605'],
  ['2.1', '9.4.12.v20180830'],
  ['2.2', '9.4.14.v20181114'],
  ['2.3', '9.4.18.v20190429'],
  ['2.4', '9.4.20.v20190813'],
  ['2.5', '9.4.24.v20191120'],
  ['2.6', '9.4.24.v20191120'],
  ['2.7', '9.4.33.v20201020'],
  ['2.8', '9.4.39.v20210325'],
  ['3.0', '9.4.43.v20210629'],
  ['3.1', '9.4.43.v20210629'],
  ['3.2', '9.4.44.v20210927'],
  ['3.3', '9.4.48.v20220622'],
  ['3.4', '9.4.48.v20220622'],
  ['3.5', '9.4.51.v20230217'],
  ['3.6', '9.4.52.v20230823'],
  ['3.7', '9.4.53.v20231009'],
  ['3.8', '9.4.54.v20240208'],
  ['3.9', '9.4.56.v20240826'],
  ['4.0', '12.0.16'],
  ['4.1', '12.0.22'],
];

/** Line numbers of the Connect runtime frames in task traces (§8); rows apply from their version on. */
export interface TraceLines {
  workerTaskDoRun: number;
  workerTaskRun: number;
  /** `WorkerSinkTask.deliverMessages`, where "Exiting WorkerSinkTask due to unrecoverable exception." is thrown. */
  sinkDeliver: number;
  sinkPoll: number;
  sinkIteration: number;
  sinkExecute: number;
  /** `AbstractWorkerSourceTask.execute` calling `poll` (3.3+), or `WorkerSourceTask.execute` before. */
  sourceExecute: number;
  /** `AbstractWorkerSourceTask.poll` calling `task.poll()` (3.3+), or `WorkerSourceTask.poll` before. */
  sourcePoll: number;
}

// The WorkerTask, sink-deliver and 3.3+ source columns are the fingerprints of §8; the other sink and pre-3.3 source
// lines come from captures where one exists (2.1, 2.5, 2.6, 2.7) and are carried forward otherwise.
const TRACE_LINES: ReadonlyArray<readonly [string, TraceLines]> = [
  ['1.0', lines(170, 214, 517, 302, 205, 173, 157, 224)],
  ['2.1', lines(175, 219, 587, 323, 226, 194, 200, 244)],
  ['2.3', lines(177, 227, 560, 322, 224, 192, 229, 249)],
  ['2.5', lines(184, 234, 568, 326, 228, 196, 238, 263)],
  ['2.6', lines(185, 235, 588, 326, 229, 201, 219, 295)],
  ['2.7', lines(185, 234, 614, 329, 232, 201, 264, 308)],
  ['2.8', lines(182, 231, 609, 329, 232, 201, 264, 308)],
  ['3.0', lines(186, 241, 609, 329, 232, 201, 264, 308)],
  ['3.3', lines(189, 244, 611, 333, 234, 203, 346, 452)],
  ['3.4', lines(202, 257, 614, 336, 237, 206, 351, 457)],
  ['3.5', lines(204, 259, 618, 340, 241, 210, 351, 462)],
  ['3.7', lines(204, 259, 632, 348, 247, 216, 357, 469)],
  ['3.8', lines(225, 280, 635, 351, 250, 219, 353, 465)],
  ['3.9', lines(226, 281, 636, 352, 251, 220, 354, 466)],
];

function lines(
  workerTaskDoRun: number,
  workerTaskRun: number,
  sinkDeliver: number,
  sinkPoll: number,
  sinkIteration: number,
  sinkExecute: number,
  sourceExecute: number,
  sourcePoll: number,
): TraceLines {
  return { workerTaskDoRun, workerTaskRun, sinkDeliver, sinkPoll, sinkIteration, sinkExecute, sourceExecute, sourcePoll };
}

/** The JDK whose frames appear under the runtime's: images moved from Java 8 to 11 to 17 (4.0 requires 17). */
export type Jdk = 8 | 11 | 17;

export interface KafkaProfile {
  /** As `GET /` reports it, e.g. `3.9.0` or `7.5.0-ccs`. */
  readonly version: string;
  /** The Apache Kafka version the behaviour follows (CP 7.5 → AK 3.5). */
  readonly kafka: KafkaVersion;
  /** The `Server` header value. */
  readonly server: string;
  readonly traceLines: TraceLines;
  readonly jdk: Jdk;
  has(feature: Feature): boolean;
}

const LEADING_VERSION = /^(\d+)\.(\d+)(?:\.\d+)?/;
const CONFLUENT_SUFFIX = /-(?:ccs|ce)(?:$|[^a-z])/;

export function kafkaProfile(version: string): KafkaProfile {
  const match = LEADING_VERSION.exec(version);
  if (match === null) {
    throw new SimulatorError('SIM_ERR_UNSUPPORTED', `Kafka version "${version}" does not start with MAJOR.MINOR`);
  }
  const reported = { major: Number(match[1]), minor: Number(match[2]) };
  const kafka = CONFLUENT_SUFFIX.test(version) ? kafkaOfConfluent(reported) : reported;
  const has = (feature: Feature): boolean => {
    const range: { since: KafkaVersion; until?: KafkaVersion } = FEATURES[feature];
    return atLeast(kafka, range.since) && (range.until === undefined || !atLeast(kafka, range.until));
  };
  return {
    version,
    kafka,
    server: `Jetty(${pick(JETTY_BY_KAFKA, kafka)})`,
    traceLines: pick(TRACE_LINES, kafka),
    jdk: atLeast(kafka, { major: 3, minor: 7 }) ? 17 : atLeast(kafka, { major: 2, minor: 5 }) ? 11 : 8,
    has,
  };
}

/** CP 4.N → AK 1.N, 5.N → 2.N, 6.0–6.2 → 2.6–2.8, 7.N → 3.N, 8.N → 4.N. */
function kafkaOfConfluent(cp: KafkaVersion): KafkaVersion {
  if (cp.major === 4) return { major: 1, minor: cp.minor };
  if (cp.major === 5) return { major: 2, minor: cp.minor };
  if (cp.major === 6) return { major: 2, minor: 6 + cp.minor };
  if (cp.major >= 7) return { major: cp.major - 4, minor: cp.minor };
  throw new SimulatorError('SIM_ERR_UNSUPPORTED', `Confluent Platform ${cp.major}.${cp.minor} has no known Kafka version`);
}

export function atLeast(version: KafkaVersion, minimum: KafkaVersion): boolean {
  return version.major !== minimum.major ? version.major > minimum.major : version.minor >= minimum.minor;
}

/** The row of the latest version not after `kafka`; the first row for anything older. */
function pick<T>(table: ReadonlyArray<readonly [string, T]>, kafka: KafkaVersion): T {
  let chosen = table[0]![1];
  for (const [from, value] of table) {
    const [major, minor] = from.split('.').map(Number) as [number, number];
    if (atLeast(kafka, { major, minor })) chosen = value;
  }
  return chosen;
}
