// Unverified worker certificates are a standing risk, so they show as a metric, not only as one warning at start.

import { afterEach, expect, it } from 'vitest';
import { cleanup, configText, simulator, startService, valueOf } from './harness.ts';

afterEach(cleanup);

it('kafka_connect_exporter_tls_verification_disabled is 1 for a cluster with insecureSkipVerify and 0 for the others', async () => {
  const sim = await simulator();
  const config = configText({ clusters: [{ name: 'prod', url: sim.url }, { name: 'lab', url: sim.url.replace('http:', 'https:') }] }).replace(
    '"name": "lab",',
    '"name": "lab", "tls": { "insecureSkipVerify": true },',
  );
  const service = await startService({ config });
  const { samples } = await service.scrape();
  expect(valueOf(samples, 'kafka_connect_exporter_tls_verification_disabled', { connect_cluster: 'prod' })).toBe(0);
  expect(valueOf(samples, 'kafka_connect_exporter_tls_verification_disabled', { connect_cluster: 'lab' })).toBe(1);
});
