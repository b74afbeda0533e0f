// The order of the gates is a contract: the first closed gate is the reason reported, so the table in
// docs/auto-restart.md and the GATES of src/restart/gates.ts must say the same.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GATES } from '../../src/restart/gates.ts';
import { requestRestartNow, silence } from '../../src/restart/operator.ts';
import { CLUSTER, connectorStatus, decideAt, MINUTE, only, policyOf, T0 } from './helpers.ts';

const doc = readFileSync(new URL('../../docs/auto-restart.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| (\d+) \| `([a-z_]+)` \|/gm)].map((match) => ({ step: Number(match[1]), reason: match[2]! }));

describe('the gates', () => {
  it('run in the order docs/auto-restart.md gives: stale data and the switch first, the gates, then the rate limit and dry run', () => {
    expect(documented.map((row) => row.step)).toEqual(documented.map((_, i) => i + 1));
    expect(documented.map((row) => row.reason)).toEqual(['stale_data', 'disabled', ...GATES.map((gate) => gate.reason), 'rate_limited', 'dry_run']);
  });

  it('let an operator request through the ones about the target, and hold it at the ones about the cluster', () => {
    expect(GATES.filter((gate) => gate.about === 'target').map((gate) => gate.reason)).toEqual(['silenced', 'policy_never', 'gone', 'budget_exhausted', 'backoff']);
    const failed = [connectorStatus('orders', 'running', ['failed'])];
    const ref = { cluster: CLUSTER, connector: 'orders', task: 0 };
    const silencedAndRequested = requestRestartNow(silence(decideAt(policyOf(), failed, T0).history, ref, T0 + 60 * MINUTE, T0, 'maintenance'), ref, T0);
    const policy = policyOf({ defaults: { backoff: { initial: '1h' } } });
    expect(only(decideAt(policy, failed, T0 + MINUTE, silencedAndRequested).decisions)).toMatchObject({ action: 'restart', reason: 'requested' });
    expect(only(decideAt(policy, failed, T0 + MINUTE, silencedAndRequested, { historyWritable: false }).decisions)).toMatchObject({ action: 'skip', reason: 'history_unavailable' });
  });
});
