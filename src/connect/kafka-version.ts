// The Kafka version of a Connect worker, from the `version` field of `GET /`, and what it can do.
// Confluent Platform builds report their own version (`7.5.0-ccs`); features follow the Apache Kafka (AK) version.

import type { RestartCalls } from '../domain/model.ts';

export interface KafkaVersion {
  major: number;
  minor: number;
}

export interface WorkerVersion {
  /** The `MAJOR.MINOR` the worker reported (a Confluent Platform version for CP builds). */
  reported: KafkaVersion;
  /** The build is Confluent Platform: its version carries a `-ccs` (or `-ce`, Confluent Server) suffix. */
  confluent: boolean;
  /** The Apache Kafka version the features follow; undefined for a CP version with no known AK counterpart. */
  kafka: KafkaVersion | undefined;
}

/** Leading `MAJOR.MINOR`, whatever follows (`.0`, `-SNAPSHOT`, `-ccs`, `-cc-docker-ksql.119-33-ccs`). */
const LEADING_MAJOR_MINOR = /^\s*v?(\d{1,4})\.(\d{1,4})(?![\d])/;
const CONFLUENT_SUFFIX = /-(?:ccs|ce)(?:$|[^a-z])/i;

export function parseWorkerVersion(version: string): WorkerVersion | undefined {
  const match = LEADING_MAJOR_MINOR.exec(version);
  if (match === null) return undefined;
  const reported = { major: Number(match[1]), minor: Number(match[2]) };
  const confluent = CONFLUENT_SUFFIX.test(version);
  return { reported, confluent, kafka: confluent ? kafkaOfConfluent(reported) : reported };
}

/**
 * CP 4.N → AK 1.N, 5.N → 2.N (5.0–5.5), 6.0/6.1/6.2 → 2.6/2.7/2.8, 7.N → 3.N, 8.N → 4.N; later majors are assumed
 * to keep the 7.x/8.x pattern (CP major − 4), which at worst enables features the shape checks then catch.
 */
function kafkaOfConfluent(cp: KafkaVersion): KafkaVersion | undefined {
  if (cp.major === 4 && cp.minor <= 1) return { major: 1, minor: cp.minor };
  if (cp.major === 5 && cp.minor <= 5) return { major: 2, minor: cp.minor };
  if (cp.major === 6 && cp.minor <= 2) return { major: 2, minor: 6 + cp.minor };
  if (cp.major >= 7) return { major: cp.major - 4, minor: cp.minor };
  return undefined;
}

/** The first Apache Kafka version with each feature the client or its callers depend on (docs/connect-rest-api.md §7). */
export const FEATURE_SINCE = {
  /** `GET /connectors?expand=status&expand=info` (KIP-465). */
  expand: { major: 2, minor: 3 },
  /** `POST …/restart?includeTasks&onlyFailed` answering 202 with a plan, and the RESTARTING state (KIP-745). */
  restartPlan: { major: 3, minor: 0 },
  /** The STOPPED connector state (KIP-875). */
  stoppedState: { major: 3, minor: 5 },
  /** `GET /health` (KIP-1017). */
  health: { major: 3, minor: 9 },
} as const satisfies Record<string, KafkaVersion>;

export type Feature = keyof typeof FEATURE_SINCE;

export function isAtLeast(version: KafkaVersion, minimum: KafkaVersion): boolean {
  return version.major !== minimum.major ? version.major > minimum.major : version.minor >= minimum.minor;
}

/** undefined when the version is unknown: callers then rely on the response shapes (array or map, 204 or 202). */
export function supports(version: WorkerVersion | undefined, feature: Feature): boolean | undefined {
  if (version?.kafka === undefined) return undefined;
  return isAtLeast(version.kafka, FEATURE_SINCE[feature]);
}

/**
 * KAFKA-13719: on Kafka 3.0.0 to 3.0.2 and 3.1.0, a bulk restart (`includeTasks=true&onlyFailed=true`) with failed
 * tasks on more than one worker makes each of those workers start every task of the plan, so tasks run twice. Fixed
 * in 3.1.1 and 3.2.0. Confluent Platform 7.0.x and 7.1.0 carry those builds. False when the version is unknown.
 */
export function bulkRestartStartsDuplicates(version: string): boolean {
  const match = /^\s*v?(\d{1,4})\.(\d{1,4})\.(\d{1,4})/.exec(version);
  if (match === null) return false;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const kafka = CONFLUENT_SUFFIX.test(version) ? { major: major - 4, minor } : { major, minor };
  return kafka.major === 3 && (kafka.minor === 0 || (kafka.minor === 1 && patch === 0));
}

/** How restarts may be sent to a worker of this version. */
export function restartCallsOf(version: string): RestartCalls {
  return { plan: supports(parseWorkerVersion(version), 'restartPlan'), bulkSafe: !bulkRestartStartsDuplicates(version) };
}
