// The alert style that mixtool lint and the monitoring-mixins guidelines enforce, plus connect-sentinel's own rules:
// descriptions print only labels the expression keeps and keep every identifying label, no rate() of a gauge,
// paused work is info only, and the shipped timing lets auto-restart act before anyone is paged.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultConfig, resolveConfig } from '../../alerts/src/config.ts';
import { OUTPUT_PATHS } from '../../tools/monitoring/generate.ts';
import { formatDuration, parseDuration } from '../../src/config/duration.ts';
import { backoffDelay } from '../../src/restart/backoff.ts';
import { restartSectionSchema } from '../../src/config/restart-section.ts';

interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const groups = (
  parse(readFileSync(new URL(`../../${OUTPUT_PATHS.rules}`, import.meta.url), 'utf8')) as {
    groups: Array<{ name: string; rules: Array<AlertRule | { record: string; expr: string }> }>;
  }
).groups;
const alerts = groups.flatMap((group) => group.rules).filter((rule): rule is AlertRule => 'alert' in rule);
const byName = new Map(alerts.map((rule) => [rule.alert, rule]));
const runbooks = readFileSync(new URL('../../docs/runbooks.md', import.meta.url), 'utf8');

/**
 * How long an alert waits: its `for`, or for an alert on a state clock (which has none), the age it compares the
 * clock with (`… >= <seconds>)[`).
 */
function waitOf(rule: AlertRule): string | undefined {
  if (rule.for !== undefined) return rule.for;
  const seconds = /_state_since_timestamp_seconds\{[^}]*\}\) >= (\d+)\)\[/.exec(rule.expr)?.[1];
  return seconds === undefined ? undefined : formatDuration(Number(seconds) * 1000);
}

function alert(name: string): AlertRule {
  const rule = byName.get(name);
  if (rule === undefined) throw new Error(`no alert ${name}`);
  return rule;
}

/** GitHub's anchors for Markdown headings: lower case, punctuation dropped, spaces to dashes. */
function headingAnchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} +(.+)$/gm)].map((match) =>
      (match[1] as string)
        .trim()
        .toLowerCase()
        .replace(/[^a-z0-9 _-]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** Labels that the expression's aggregations keep: the union of its `by (…)` lists. */
function keptLabels(expr: string): Set<string> {
  return new Set([...expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((match) => (match[1] as string).split(',').map((l) => l.trim())));
}

function printedLabels(template: string): Set<string> {
  return new Set([...template.matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)].map((match) => match[1] as string));
}

describe.each(alerts.map((rule) => [rule.alert, rule] as const))('%s', (name, rule) => {
  it('has a CamelCase name of at most 40 characters with the KafkaConnect prefix', () => {
    expect(name).toMatch(/^([A-Z]+[a-z0-9]+)+$/);
    expect(name.length).toBeLessThanOrEqual(40);
    expect(name.startsWith('KafkaConnect')).toBe(true);
  });

  it('has a severity of critical, warning or info, and a for or a state clock to wait on, not both', () => {
    expect(Object.keys(rule.labels ?? {})).toEqual(['severity']);
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
    expect(waitOf(rule)).toMatch(/^(\d+[smhdwy])+$/);
    if (rule.expr.includes('_state_since_timestamp_seconds')) expect(rule.for).toBeUndefined();
  });

  it('has a static summary sentence, a templated description and a runbook that exists', () => {
    const { summary, description, runbook_url: runbookUrl } = rule.annotations ?? {};
    expect(summary).toMatch(/^[A-Z].+\.$/);
    expect(summary).not.toContain('{{');
    expect(description).toContain('{{');
    expect(runbookUrl).toBe(`${defaultConfig.runbookUrl}#${name.toLowerCase()}`);
    expect(headingAnchors(runbooks)).toContain(name.toLowerCase());
  });

  it('prints only labels its expression keeps, and every identifying label it keeps', () => {
    const kept = keptLabels(rule.expr);
    const printed = printedLabels(`${rule.annotations?.summary ?? ''} ${rule.annotations?.description ?? ''}`);
    for (const label of printed) expect(kept, `prints $labels.${label}`).toContain(label);
    for (const label of kept) {
      if (!defaultConfig.groupLabels.includes(label)) expect(printed, `keeps ${label}`).toContain(label);
    }
  });

  it('applies rate() and increase() to counters only, and uses counters only that way', () => {
    for (const match of rule.expr.matchAll(/\b(rate|irate|increase)\(([a-zA-Z_:][a-zA-Z0-9_:]*)/g)) {
      expect(match[2], `${match[1]}() of a gauge`).toMatch(/_total$/);
    }
    for (const match of rule.expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*_total)\b/g)) {
      expect(rule.expr.slice(0, match.index), `${match[1]} outside rate()/increase()`).toMatch(/\b(rate|irate|increase)\($/);
    }
  });
});

describe('the alert groups', () => {
  it('have short names and at most 20 rules each', () => {
    for (const group of groups) {
      expect(group.name.length).toBeLessThanOrEqual(40);
      expect(group.rules.length).toBeLessThanOrEqual(20);
    }
  });
});

describe('what pages and when', () => {
  const restart = restartSectionSchema.parse(undefined);

  it('never alerts on paused or stopped work above info', () => {
    // What a rule selects comes before its first `unless`; after it comes what it leaves out.
    const selecting = (expr: string) => expr.split(' unless ')[0]!;
    const aboutPaused = alerts.filter((r) => /paused|stopped/.test(selecting(r.expr)));
    expect(aboutPaused.map((r) => r.alert)).toEqual(['KafkaConnectConnectorPaused']);
    for (const rule of aboutPaused) expect(rule.labels?.severity, rule.alert).toBe('info');
    // The task and restart alerts leave paused and stopped connectors out.
    for (const name of ['KafkaConnectTaskFailed', 'KafkaConnectTaskUnassigned', 'KafkaConnectRestartLoop']) {
      expect(alert(name).expr, name).toMatch(/ unless on \([^)]*connector\) \(.*state=~"paused\|stopped"/);
    }
    expect(parseDuration(waitOf(alert('KafkaConnectConnectorPaused')) ?? '0s')).toBeGreaterThanOrEqual(86_400_000);
  });

  it('pages when auto-restart gives up, soon', () => {
    const exhausted = alert('KafkaConnectAutoRestartExhausted');
    expect(exhausted.labels?.severity).toBe('critical');
    expect(parseDuration(exhausted.for ?? '0s')).toBeLessThanOrEqual(10 * 60_000);
  });

  it('tickets a failed task only after auto-restart had four tries with the default backoff', () => {
    // Restart 1 comes after firstDelay, restart n+1 after the n-th backoff delay; the worst case has full jitter.
    const { firstDelay, backoff } = restart.defaults;
    const worstCase = { ...backoff, initial: backoff.initial * (1 + backoff.jitter), max: backoff.max * (1 + backoff.jitter), jitter: 0 };
    let fourthRestart = firstDelay;
    for (let n = 1; n <= 3; n++) fourthRestart += backoffDelay(worstCase, n, 'any');
    for (const name of ['KafkaConnectTaskFailed', 'KafkaConnectConnectorFailed']) {
      expect(alert(name).labels?.severity).toBe('warning');
      expect(parseDuration(waitOf(alert(name)) ?? '0s'), name).toBeGreaterThan(fourthRestart);
    }
  });

  it('warns about a restart loop before the default budget runs out', () => {
    expect(defaultConfig.thresholds.restartLoopRestarts).toBeLessThan(restart.defaults.budget.maxRestarts);
  });
});

describe('docs/runbooks.md', () => {
  it.each(alerts.map((rule) => rule.alert))('has Meaning, Impact, Diagnosis and Mitigation for %s', (name) => {
    const start = runbooks.indexOf(`\n## ${name}\n`);
    expect(start).toBeGreaterThan(0);
    const next = runbooks.indexOf('\n## ', start + 1);
    const section = runbooks.slice(start, next === -1 ? undefined : next);
    const positions = ['**Meaning**', '**Impact**', '**Diagnosis**', '**Mitigation**'].map((part) => section.indexOf(part));
    expect(positions.every((position) => position > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe('docs/monitoring.md', () => {
  const monitoring = readFileSync(new URL('../../docs/monitoring.md', import.meta.url), 'utf8');

  it.each(alerts.map((rule) => [rule.alert, rule] as const))('lists %s with its shipped severity and for', (name, rule) => {
    const row = new RegExp(`^\\| ${name} \\| (\\w+) \\| (\\w+) \\|`, 'm').exec(monitoring);
    expect(row?.slice(1)).toEqual([rule.labels?.severity, waitOf(rule)]);
  });

  it('shows a tuning example that resolveConfig accepts', () => {
    const example = /```yaml\n# monitoring\.yaml\n([\s\S]*?)```/.exec(monitoring)?.[1];
    expect(example).toBeDefined();
    const config = resolveConfig(parse(example as string));
    expect(config.alerts.KafkaConnectConnectorPaused.enabled).toBe(false);
  });
});
