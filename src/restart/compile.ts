// Turns the validated `restart:` section into what decide() reads on every poll: globs and cron matchers compiled
// once, rule overrides merged over the defaults, the built-in rules appended.

import type { Backoff } from './backoff.ts';
import { compileWindowSchedule, type OpenWindow } from './blackout.ts';
import { BUILTIN_RULES } from './builtin-rules.ts';
import { definedOnly, type BudgetSettings, type RestartRuleMatch, type RestartSection } from '../config/restart-section.ts';
import { compileGlobs, type GlobMatcher } from '../config/glob.ts';
import type { DeepReadonly } from '../config/schema.ts';

/** What a rule looks at: one failed connector instance or task. */
export interface RuleSubject {
  cluster: string;
  connector: string;
  connectorClass: string;
  kind: 'connector' | 'task';
  /** Class of the trace's first line ('' when unknown). */
  exception: string;
  /** Class of the deepest `Caused by:` ('' when unknown). */
  rootCause: string;
  trace: string;
}

export interface RestartSettings {
  firstDelay: number;
  backoff: Backoff;
  budget: BudgetSettings;
}

export interface CompiledRule {
  name: string;
  builtin: boolean;
  action: 'restart' | 'never';
  settings: RestartSettings;
  matches(subject: RuleSubject): boolean;
}

export interface CompiledBlackout {
  name: string;
  appliesTo(cluster: string, connector: string): boolean;
  openAt(now: number): OpenWindow | null;
}

export interface RestartPolicy {
  enabled: boolean;
  dryRun: boolean;
  /** Used when no rule matches. */
  defaults: RestartSettings;
  recovery: { healthyPolls: number; resetAfter: number };
  /** The user's rules in order, then the built-in ones. */
  rules: readonly CompiledRule[];
  blackouts: readonly CompiledBlackout[];
  rateLimit: { maxRestarts: number; window: number };
  circuitBreaker: { failedConnectorShare: number; minConnectors: number };
  /** The longest budget window of any rule: restart times older than this can never matter again. */
  longestBudgetWindow: number;
}

function compileMatch(match: DeepReadonly<RestartRuleMatch>): (subject: RuleSubject) => boolean {
  const checks: ((subject: RuleSubject) => boolean)[] = [];
  const globs = (patterns: readonly string[] | undefined, pick: (subject: RuleSubject) => string) => {
    if (patterns === undefined) return;
    const matches: GlobMatcher = compileGlobs(patterns);
    checks.push((subject) => matches(pick(subject)));
  };
  if (match.targets !== 'any') checks.push((subject) => subject.kind === match.targets);
  globs(match.clusters, (subject) => subject.cluster);
  globs(match.connectors, (subject) => subject.connector);
  globs(match.connectorClasses, (subject) => subject.connectorClass);
  globs(match.exceptions, (subject) => subject.exception);
  globs(match.rootCauses, (subject) => subject.rootCause);
  const needles = match.traceContains;
  // Substring search over a few kB of trace is the costliest check: it goes last.
  if (needles !== undefined) checks.push((subject) => needles.some((needle) => subject.trace.includes(needle)));
  return (subject) => checks.every((check) => check(subject));
}

export function compilePolicy(section: DeepReadonly<RestartSection>): RestartPolicy {
  const defaults: RestartSettings = {
    firstDelay: section.defaults.firstDelay,
    backoff: section.defaults.backoff,
    budget: section.defaults.budget,
  };
  const userRules: CompiledRule[] = section.rules.map((rule) => ({
    name: rule.name,
    builtin: false,
    action: rule.action,
    settings: {
      firstDelay: rule.firstDelay ?? defaults.firstDelay,
      backoff: { ...defaults.backoff, ...definedOnly(rule.backoff) },
      budget: { ...defaults.budget, ...definedOnly(rule.budget) },
    },
    matches: compileMatch(rule.match),
  }));
  const builtinRules: CompiledRule[] = section.builtinRules
    ? BUILTIN_RULES.map((rule) => ({
        name: rule.name,
        builtin: true,
        action: rule.action,
        settings: defaults,
        matches: compileMatch(rule.match),
      }))
    : [];
  const blackouts: CompiledBlackout[] = section.blackouts.map((blackout) => {
    const clusters = compileGlobs(blackout.clusters);
    const connectors = compileGlobs(blackout.connectors);
    const schedule = compileWindowSchedule(blackout.cron, blackout.duration, blackout.timezone);
    return {
      name: blackout.name,
      appliesTo: (cluster, connector) => clusters(cluster) && connectors(connector),
      openAt: (now) => schedule.openAt(now),
    };
  });
  const rules = [...userRules, ...builtinRules];
  return {
    enabled: section.enabled,
    dryRun: section.dryRun,
    defaults,
    recovery: section.recovery,
    rules,
    blackouts,
    rateLimit: section.clusterSafety.rateLimit,
    circuitBreaker: section.clusterSafety.circuitBreaker,
    longestBudgetWindow: Math.max(defaults.budget.window, ...rules.map((rule) => rule.settings.budget.window)),
  };
}

/** The first rule that matches, or undefined (the defaults apply and the action is restart). */
export function ruleFor(policy: RestartPolicy, subject: RuleSubject): CompiledRule | undefined {
  return policy.rules.find((rule) => rule.matches(subject));
}
