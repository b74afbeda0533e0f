// Bad input from users, at reload: each kind of mistake is refused with its key path and reason, and the running
// config stays in place (the cluster is still polled with its old settings).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningConnectors, startFaultServer, type FaultServer } from './fault-server.ts';
import { startService, type Service } from './service.ts';

let connect: FaultServer;
let service: Service;

const good = () => `clusters:\n  - name: prod\n    url: ${connect.url}\n    pollInterval: 5s\nrestart:\n  enabled: true\n`;

beforeAll(async () => {
  connect = await startFaultServer(runningConnectors(3));
  service = await startService({ config: good(), files: { 'api-token': 'x' } });
  await service.app.pollAll();
});
afterAll(async () => {
  await service.close();
  await connect.close();
});

const CASES: Array<[string, () => string, RegExp]> = [
  ['invalid YAML', () => `${good()}restart: [unclosed\n`, /sentinel\.yaml:\d+:\d+: invalid YAML/],
  ['a duplicate key', () => `${good()}restart:\n  enabled: false\n`, /invalid YAML: a key appears twice \(map keys must be unique\)/],
  ['an unknown key', () => good().replace('pollInterval', 'pollIntervall'), /clusters\[0\]\.pollIntervall: unknown key/],
  ['a wrong type', () => good().replace('enabled: true', 'enabled: "yes"'), /restart\.enabled: expected true or false, got a string/],
  ['a bad duration', () => good().replace('5s', 'soon'), /clusters\[0\]\.pollInterval: invalid duration/],
  ['a bad cron expression', () => `${good()}  blackouts:\n    - { name: nightly, cron: "61 * * * *", duration: 1h }\n`, /restart\.blackouts\[0\]\.cron: invalid cron expression "61 \* \* \* \*"/],
  ['an empty glob', () => good().replace('    pollInterval: 5s\n', '    pollInterval: 5s\n    connectors: { include: [""] }\n'), /clusters\[0\]\.connectors\.include\[0\]: glob must not be empty/],
  ['an unreadable secret file', () => `${good()}api:\n  tokenFile: no-such-file\n`, /api\.tokenFile: cannot read ".*no-such-file": ENOENT/],
  ['a URL with credentials', () => good().replace('http://', 'http://user:pass@'), /clusters\[0\]\.url: credentials are not allowed in URLs/],
  ['a required key left out', () => 'log:\n  level: info\n', /sentinel\.yaml: clusters: /],
];

describe('a bad config at reload', () => {
  it.each(CASES)('%s: refused with key path and reason, the running config kept', async (_name, text, reason) => {
    await service.writeConfig(text());
    const answer = await service.app.server.inject({ method: 'POST', url: '/-/reload', headers: { 'x-requested-with': 'test' } });
    expect(answer.statusCode).toBe(500);
    expect(answer.body).toMatch(reason);
    expect(answer.body).not.toContain('user:pass');

    const before = connect.requests.length;
    await service.app.pollAll();
    expect(connect.requests.length).toBeGreaterThan(before);
    const scrape = await service.scrape();
    expect(service.value(scrape.body, 'kafka_connect_up{connect_cluster="prod"}')).toBe(1);
    expect(service.value(scrape.body, 'kafka_connect_exporter_config_last_reload_successful')).toBe(0);

    await service.writeConfig(good());
    expect((await service.app.reload()).ok).toBe(true);
    expect(service.value((await service.scrape()).body, 'kafka_connect_exporter_config_last_reload_successful')).toBe(1);
  });
});
