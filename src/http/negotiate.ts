// Pure: which text format a scraper asked for. OpenMetrics 1.0.0 when the Accept header lists it at least as
// preferred as the Prometheus text format; the Prometheus text format otherwise, including for a missing or
// unreadable header (every scraper reads it).

import type { MetricsFormat } from './server.ts';

interface MediaRange {
  type: string;
  params: Map<string, string>;
  quality: number;
}

export function negotiateFormat(acceptHeader: string | undefined): MetricsFormat {
  if (acceptHeader === undefined) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of parseAccept(acceptHeader)) {
    if (range.type === 'application/openmetrics-text') {
      // Only 1.0.0 is written; an older draft version (0.0.1) alone does not get it.
      const version = range.params.get('version');
      if (version === undefined || version === '1.0.0') openMetrics = Math.max(openMetrics, range.quality);
    } else if (range.type === 'text/plain' || range.type === 'text/*' || range.type === '*/*') {
      text = Math.max(text, range.quality);
    }
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [mediaType = '', ...paramTexts] = part.split(';');
    const params = new Map<string, string>();
    for (const paramText of paramTexts) {
      const equals = paramText.indexOf('=');
      if (equals === -1) continue;
      const name = paramText.slice(0, equals).trim().toLowerCase();
      const value = paramText.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1');
      params.set(name, value);
    }
    ranges.push({ type: mediaType.trim().toLowerCase(), params, quality: qualityOf(params.get('q')) });
  }
  return ranges;
}

/** RFC 9110 weight: 0 to 1, default 1; an unreadable one counts as 0 so that garbage never wins. */
function qualityOf(text: string | undefined): number {
  if (text === undefined) return 1;
  return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(text) ? Number(text) : 0;
}
