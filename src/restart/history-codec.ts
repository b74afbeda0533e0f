// The restart history file's format: versioned JSON, decoded strictly so a damaged file is noticed, not half-read.

import { z } from 'zod';
import { SKIP_REASONS, targetKey } from '../domain/model.ts';
import { MAX_TIME_MS } from '../domain/time.ts';
import { OUTCOME_RESULTS, RESTART_REASONS, type ClusterHistory, type RestartHistory, type TargetHistory } from './history.ts';

export const HISTORY_FORMAT = 'connect-sentinel/restart-history';
export const HISTORY_VERSION = 1;

// A far-future time would throw later, wherever it is formatted: the file is refused (and moved aside) instead.
const time = z.number().int().nonnegative().max(MAX_TIME_MS, { error: 'time out of range (after 9999-12-31)' });
const nullableTime = time.nullable();

const refSchema = z.object({
  cluster: z.string(),
  connector: z.string(),
  task: z.number().int().nonnegative().optional(),
});

const targetSchema = z.object({
  ref: refSchema,
  attempt: z.number().int().nonnegative(),
  restarts: z.array(time),
  lastRestartAt: nullableTime,
  failingSince: nullableTime,
  healthyPolls: z.number().int().nonnegative(),
  recoveredAt: nullableTime,
  flaps: z.number().int().nonnegative(),
  lastSeenAt: time,
  lastState: z.string(),
  dryRun: z.boolean(),
  requestedAt: nullableTime,
  retries: z.number().int().nonnegative(),
  pending: z.object({ at: time, previousLastRestartAt: nullableTime, requested: z.boolean() }).nullable(),
  lastFailure: z.object({ exception: z.string(), rootCause: z.string() }).nullable(),
  lastDecision: z
    .object({
      at: time,
      action: z.enum(['restart', 'skip']),
      reason: z.enum([...RESTART_REASONS, ...SKIP_REASONS]),
      message: z.string(),
      rule: z.string().nullable(),
      nextAttemptAt: nullableTime,
      exhausted: z.boolean(),
    })
    .nullable(),
  lastOutcome: z.object({ at: time, result: z.enum(OUTCOME_RESULTS), message: z.string() }).nullable(),
  // Absent from files written before it existed.
  gaveUpAt: nullableTime.default(null),
});

const fileSchema = z.object({
  format: z.literal(HISTORY_FORMAT),
  version: z.literal(HISTORY_VERSION),
  savedAt: z.string(),
  clusters: z.array(
    z.object({
      cluster: z.string(),
      restarts: z.array(time),
      silences: z.array(z.object({ connector: z.string(), since: time, until: time, reason: z.string().nullable() })),
      targets: z.array(targetSchema),
    }),
  ),
});

export function encodeHistory(history: RestartHistory, now: number): string {
  const clusters = [...history.clusters].map(([cluster, part]) => ({
    cluster,
    restarts: part.restarts,
    silences: [...part.silences].map(([connector, entry]) => ({ connector, ...entry })),
    targets: [...part.targets.values()],
  }));
  return `${JSON.stringify({ format: HISTORY_FORMAT, version: HISTORY_VERSION, savedAt: new Date(now).toISOString(), clusters })}\n`;
}

/** Throws a readable Error when the text is not a history file this version can read. */
export function decodeHistory(text: string): RestartHistory {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse quotes the text around the problem; the position is all a reader needs.
    throw new Error('the file is not JSON');
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a restart history file: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  const clusters = new Map<string, ClusterHistory>();
  for (const entry of parsed.data.clusters) {
    const targets = new Map<string, TargetHistory>();
    for (const target of entry.targets) {
      const { task, ...rest } = target.ref;
      const ref = task === undefined ? rest : { ...rest, task };
      targets.set(targetKey(ref), { ...target, ref });
    }
    const silences = new Map(entry.silences.map(({ connector, ...silence }) => [connector, silence]));
    clusters.set(entry.cluster, { targets, restarts: entry.restarts, silences });
  }
  return { clusters };
}
