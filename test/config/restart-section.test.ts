import { describe, expect, it } from 'vitest';
import { formatKeyPath } from '../../src/config/issues.ts';
import { parseWithSchema } from '../../src/config/zod-issues.ts';
import { restartSectionSchema } from '../../src/config/restart-section.ts';

async function problems(section: unknown): Promise<string[]> {
  const result = await parseWithSchema(restartSectionSchema, section);
  if (result.ok) return [];
  return result.issues.map((issue) => `restart${issue.path.length > 0 ? `.${formatKeyPath(issue.path)}` : ''}: ${issue.message}`);
}

describe('restartSectionSchema', () => {
  it('yields the full default section for a missing or empty section', () => {
    const expected = {
      enabled: false,
      dryRun: false,
      defaults: {
        firstDelay: 0,
        backoff: { initial: 60_000, multiplier: 2, max: 3_600_000, jitter: 0.1 },
        budget: { maxRestarts: 5, window: 21_600_000 },
      },
      recovery: { healthyPolls: 3, resetAfter: 3_600_000 },
      rules: [],
      builtinRules: true,
      blackouts: [],
      clusterSafety: { rateLimit: { maxRestarts: 20, window: 300_000 }, circuitBreaker: { failedConnectorShare: 0.5, minConnectors: 10 } },
    };
    expect(restartSectionSchema.parse(undefined)).toEqual(expected);
    expect(restartSectionSchema.parse({})).toEqual(expected);
  });

  it('parses the documented example, keeping rule overrides partial', () => {
    const section = restartSectionSchema.parse({
      enabled: true,
      defaults: { backoff: { initial: '30s' } },
      rules: [
        {
          name: 'no-restart-on-jdbc-auth',
          match: {
            clusters: ['prod-*'],
            connectors: ['jdbc-*'],
            connectorClasses: ['io.confluent.connect.jdbc.*'],
            exceptions: ['*.ConfigException'],
            rootCauses: ['*.PSQLException'],
            traceContains: ['password authentication failed'],
            targets: 'task',
          },
          action: 'never',
          firstDelay: '30s',
          backoff: { max: '30m' },
          budget: { maxRestarts: 3 },
        },
      ],
      blackouts: [{ name: 'nightly', cron: '0 2 * * *', duration: '1h', timezone: 'Europe/Berlin' }],
    });
    expect(section.defaults.backoff).toEqual({ initial: 30_000, multiplier: 2, max: 3_600_000, jitter: 0.1 });
    expect(section.rules[0]).toMatchObject({ firstDelay: 30_000, backoff: { max: 1_800_000 }, budget: { maxRestarts: 3 } });
    expect(section.rules[0]?.backoff).not.toHaveProperty('initial');
    expect(section.blackouts[0]).toEqual({
      name: 'nightly',
      cron: '0 2 * * *',
      duration: 3_600_000,
      timezone: 'Europe/Berlin',
      clusters: ['*'],
      connectors: ['*'],
    });
  });

  it.each([
    [{ rules: [{ name: 'a', match: { exceptions: [''] } }] }, 'restart.rules[0].match.exceptions[0]: glob must not be empty'],
    [{ rules: [{ name: 'x' }, { name: 'x' }] }, 'restart.rules[1].name: duplicate rule name "x"'],
    [{ rules: [{ name: 'builtin-mine' }] }, 'restart.rules[0].name: names starting with "builtin-" are reserved for the built-in rules'],
    [{ rules: [{ name: 'a', action: 'pause' }] }, 'restart.rules[0].action: must be one of restart, never, got "pause"'],
    [{ rules: [{ name: 'a', match: { targets: 'worker' } }] }, 'restart.rules[0].match.targets: must be one of any, connector, task, got "worker"'],
    [{ rules: [{ name: 'a', match: { traceContains: [] } }] }, 'restart.rules[0].match.traceContains: must not be empty'],
    [{ rules: [{ name: 'a', backoff: { initial: '2h' } }] }, 'restart.rules[0].backoff.initial: must not exceed backoff.max (1h)'],
    [{ rules: [{ name: 'a', mtach: {} }] }, 'restart.rules[0].mtach: unknown key (did you mean match?)'],
    [{ blackouts: [{ name: 'b', cron: '61 * * * *', duration: '1h' }] }, 'restart.blackouts[0].cron: invalid cron expression "61 * * * *"'],
    [{ blackouts: [{ name: 'b', cron: '0 2 * * *', duration: '1h', timezone: 'Mars/Olympus' }] }, 'restart.blackouts[0].timezone: unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin'],
    [{ blackouts: [{ name: 'b', cron: '0 2 * * *', duration: '8d' }] }, 'restart.blackouts[0].duration: must be at most 1w'],
    [{ blackouts: [{ name: 'b', cron: '0 2 * * *' }] }, 'restart.blackouts[0].duration: required'],
    [{ blackouts: [{ name: 'b', cron: '0 2 * * *', duration: '1h' }, { name: 'b', cron: '0 3 * * *', duration: '1h' }] }, 'restart.blackouts[1].name: duplicate blackout name "b"'],
    [{ defaults: { backoff: { initial: '5x' } } }, 'restart.defaults.backoff.initial: invalid duration "5x": use a number with a unit, e.g. 30s, 5m, 1h'],
    [{ defaults: { backoff: { initial: '2h' } } }, 'restart.defaults.backoff.initial: must not exceed backoff.max (1h)'],
    [{ defaults: { backoff: { jitter: 0.9 } } }, 'restart.defaults.backoff.jitter: must be at most 0.5'],
    [{ defaults: { budget: { maxRestarts: 0 } } }, 'restart.defaults.budget.maxRestarts: must be at least 1'],
    [{ defaults: { budget: { maxRestarts: 2.5 } } }, 'restart.defaults.budget.maxRestarts: expected a whole number, got a fraction'],
    [{ clusterSafety: { circuitBreaker: { failedConnectorShare: 0 } } }, 'restart.clusterSafety.circuitBreaker.failedConnectorShare: must be greater than 0'],
    [{ enabled: 'yes' }, 'restart.enabled: expected true or false, got a string'],
  ])('reports %j as %s', async (section, message) => {
    expect(await problems(section)).toEqual([message]);
  });
});
