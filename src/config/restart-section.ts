// The `restart:` section of the configuration file: auto-restart policy, validated and with every default applied.
// Durations come out in milliseconds. Rule and blackout problems name their key path, e.g.
// `restart.blackouts[0].cron: invalid cron expression "61 * * * *"` (the config loader adds the `restart.` prefix).

import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { durationAtLeast, formatDuration } from './duration.ts';
import { quote } from './quote.ts';
import { globSchema } from './glob.ts';

/** Names of connect-sentinel's shipped rules start with this, so a report always says whose rule decided. */
export const BUILTIN_RULE_PREFIX = 'builtin-';

const MAX_BLACKOUT_DURATION_MS = 7 * 86_400_000;

function durationBetween(minimumMs: number, maximumMs: number) {
  return durationAtLeast(minimumMs).refine((ms) => ms <= maximumMs, `must be at most ${formatDuration(maximumMs)}`);
}

const globListSchema = z.array(globSchema).min(1);

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const backoffFields = {
  initial: durationAtLeast(1000),
  multiplier: z.number().min(1).max(100),
  max: durationAtLeast(1000),
  jitter: z.number().min(0).max(0.5),
};

const budgetFields = {
  maxRestarts: z.int().min(1).max(10_000),
  window: durationAtLeast(1000),
};

const backoffSchema = z
  .strictObject({
    initial: backoffFields.initial.default(60_000),
    multiplier: backoffFields.multiplier.default(2),
    max: backoffFields.max.default(3_600_000),
    jitter: backoffFields.jitter.default(0.1),
  })
  .prefault({});

const budgetSchema = z
  .strictObject({
    maxRestarts: budgetFields.maxRestarts.default(5),
    window: budgetFields.window.default(6 * 3_600_000),
  })
  .prefault({});

const ruleMatchSchema = z
  .strictObject({
    clusters: globListSchema.optional(),
    connectors: globListSchema.optional(),
    connectorClasses: globListSchema.optional(),
    /** Class of the trace's first line. */
    exceptions: globListSchema.optional(),
    /** Class of the deepest `Caused by:`. */
    rootCauses: globListSchema.optional(),
    /** Plain substrings of the trace, case-sensitive. */
    traceContains: z.array(z.string().min(1)).min(1).optional(),
    targets: z.enum(['any', 'connector', 'task']).default('any'),
  })
  .prefault({});

const ruleSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(128)
    .refine((name) => !name.startsWith(BUILTIN_RULE_PREFIX), `names starting with "${BUILTIN_RULE_PREFIX}" are reserved for the built-in rules`),
  match: ruleMatchSchema,
  action: z.enum(['restart', 'never']).default('restart'),
  firstDelay: durationAtLeast(0).optional(),
  backoff: z.strictObject(backoffFields).partial().optional(),
  budget: z.strictObject(budgetFields).partial().optional(),
});

const blackoutSchema = z.strictObject({
  name: z.string().min(1).max(128),
  cron: z.string().refine((expression) => isValidCron(expression), {
    error: (issue) => `invalid cron expression ${quote(String(issue.input), 80)}`,
  }),
  duration: durationBetween(1000, MAX_BLACKOUT_DURATION_MS),
  timezone: z
    .string()
    .refine(isKnownTimeZone, { error: (issue) => `unknown time zone ${quote(String(issue.input))}: use an IANA name such as Europe/Berlin` })
    .optional(),
  clusters: globListSchema.default(['*']),
  connectors: globListSchema.default(['*']),
});

function checkUniqueNames(what: string) {
  return (items: readonly { name: string }[], ctx: z.core.$RefinementCtx<readonly { name: string }[]>) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.name)) {
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate ${what} name ${quote(item.name)}` });
      }
      seen.add(item.name);
    });
  };
}

export const restartSectionSchema = z
  .strictObject({
    /** Opt-in: connect-sentinel only reports until a user turns restarts on. */
    enabled: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    defaults: z
      .strictObject({
        firstDelay: durationAtLeast(0).default(0),
        backoff: backoffSchema,
        budget: budgetSchema,
      })
      .prefault({}),
    recovery: z
      .strictObject({
        healthyPolls: z.int().min(1).max(1000).default(3),
        resetAfter: durationAtLeast(0).default(3_600_000),
      })
      .prefault({}),
    rules: z.array(ruleSchema).default([]).superRefine(checkUniqueNames('rule')),
    builtinRules: z.boolean().default(true),
    blackouts: z.array(blackoutSchema).default([]).superRefine(checkUniqueNames('blackout')),
    clusterSafety: z
      .strictObject({
        rateLimit: z
          .strictObject({
            maxRestarts: z.int().min(1).max(100_000).default(20),
            window: durationAtLeast(1000).default(300_000),
          })
          .prefault({}),
        circuitBreaker: z
          .strictObject({
            failedConnectorShare: z.number().gt(0).max(1).default(0.5),
            minConnectors: z.int().min(1).default(10),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .superRefine((section, ctx) => {
    // A backoff whose first delay exceeds its cap would be silently clamped: say so instead.
    const check = (backoff: { initial: number; max: number }, path: PropertyKey[]) => {
      if (backoff.initial > backoff.max) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'initial'],
          message: `must not exceed backoff.max (${formatDuration(backoff.max)})`,
        });
      }
    };
    check(section.defaults.backoff, ['defaults', 'backoff']);
    section.rules.forEach((rule, i) => {
      if (rule.backoff?.initial !== undefined || rule.backoff?.max !== undefined) {
        check({ ...section.defaults.backoff, ...definedOnly(rule.backoff) }, ['rules', i, 'backoff']);
      }
    });
  })
  .prefault({});

/** Drops keys whose value is undefined, so spreading a partial override never erases a default. */
export function definedOnly<T extends object>(value: T | undefined): { [K in keyof T]?: Exclude<T[K], undefined> } {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

export type RestartSection = z.output<typeof restartSectionSchema>;
export type RestartRuleSpec = RestartSection['rules'][number];
export type RestartRuleMatch = RestartRuleSpec['match'];
export type BudgetSettings = RestartSection['defaults']['budget'];
