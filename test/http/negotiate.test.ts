import { describe, expect, it } from 'vitest';
import { negotiateFormat } from '../../src/http/negotiate.ts';

describe('negotiateFormat', () => {
  it.each([
    // What Prometheus 2.x sends.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    // What Prometheus 3.x sends by default.
    [
      'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1',
      'openmetrics',
    ],
    // Prometheus configured with scrape_protocols: [PrometheusText0.0.4].
    ['text/plain;version=0.0.4;q=1,*/*;q=0.1', 'prometheus'],
    ['application/openmetrics-text', 'openmetrics'],
    ['Application/OpenMetrics-Text; Version="1.0.0"', 'openmetrics'],
    ['application/openmetrics-text; version=0.0.1', 'prometheus'],
    ['application/openmetrics-text;q=0.4, text/plain;q=0.5', 'prometheus'],
    ['text/plain;q=0.5, application/openmetrics-text;q=0.5', 'openmetrics'],
    ['application/openmetrics-text;q=0', 'prometheus'],
    ['application/openmetrics-text;q=garbage', 'prometheus'],
    ['application/openmetrics-text;q=1.5', 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/html', 'prometheus'],
    ['', 'prometheus'],
    [',;=,;;', 'prometheus'],
  ] as const)('%j gives %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });

  it('gives the Prometheus format without an Accept header', () => {
    expect(negotiateFormat(undefined)).toBe('prometheus');
  });
});
