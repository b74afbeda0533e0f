// A strict checker for the two text exposition formats, for tests: stricter than promtool where promtool is lenient
// (split families, repeated series, OpenMetrics counter naming, `# EOF`). Returns the problems found, [] if none.

import type { ExpositionFormat } from '../../src/metrics/exposition-text.ts';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|NaN|[+-]Inf)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped', 'info', 'stateset', 'unknown']);

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: string;
}

interface Family {
  name: string;
  type: string | undefined;
  help: boolean;
}

export function validateExposition(body: Buffer | string, format: ExpositionFormat): string[] {
  const problems: string[] = [];
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return ['the body is not valid UTF-8'];
  }
  if (text !== '' && !text.endsWith('\n')) problems.push('the body does not end with a line feed');
  const lines = text.split('\n');
  lines.pop();

  const seenFamilies = new Set<string>();
  const seenSeries = new Set<string>();
  let family: Family | undefined;
  let eofAt = -1;

  lines.forEach((line, index) => {
    const where = `line ${index + 1}`;
    if (eofAt !== -1) problems.push(`${where}: content after # EOF`);
    if (line === '') return void problems.push(`${where}: empty line`);
    if (line.startsWith('#')) {
      if (line === '# EOF') {
        if (format !== 'openmetrics') problems.push(`${where}: # EOF in the Prometheus format`);
        eofAt = index;
        return;
      }
      const match = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (match === null) return void problems.push(`${where}: unexpected comment ${JSON.stringify(line)}`);
      const [, keyword, name = '', rest = ''] = match;
      if (!METRIC_NAME.test(name)) problems.push(`${where}: invalid metric name ${name}`);
      if (family?.name !== name) {
        if (seenFamilies.has(name)) problems.push(`${where}: family ${name} is split`);
        seenFamilies.add(name);
        family = { name, type: undefined, help: false };
      }
      if (keyword === 'HELP') {
        if (family.help || family.type !== undefined) problems.push(`${where}: HELP of ${name} repeated or after TYPE`);
        family.help = true;
        problems.push(...helpProblems(rest, format).map((p) => `${where}: ${p}`));
      } else {
        if (family.type !== undefined) problems.push(`${where}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) problems.push(`${where}: unknown type ${rest}`);
        family.type = rest;
        if (format === 'openmetrics' && rest === 'counter' && name.endsWith('_total')) {
          problems.push(`${where}: OpenMetrics counter family ${name} must not end in _total`);
        }
      }
      return;
    }
    const parsed = parseSample(line);
    if (typeof parsed === 'string') return void problems.push(`${where}: ${parsed}`);
    if (family === undefined || family.type === undefined) {
      return void problems.push(`${where}: sample ${parsed.name} before any TYPE`);
    }
    if (!sampleBelongs(parsed.name, family, format)) {
      problems.push(`${where}: sample ${parsed.name} does not belong to ${family.type} family ${family.name}`);
    }
    const key = seriesKey(parsed);
    if (seenSeries.has(key)) problems.push(`${where}: repeated series ${key}`);
    seenSeries.add(key);
  });

  if (format === 'openmetrics') {
    if (eofAt === -1) problems.push('no # EOF');
    else if (eofAt !== lines.length - 1) problems.push('# EOF is not the last line');
  }
  return problems;
}

function helpProblems(help: string, format: ExpositionFormat): string[] {
  const escapes = format === 'openmetrics' ? /\\(?:[\\n"])/g : /\\(?:[\\n])/g;
  const rest = help.replace(escapes, '');
  if (rest.includes('\\')) return ['invalid escape in HELP'];
  if (format === 'openmetrics' && rest.includes('"')) return ['unescaped double quote in OpenMetrics HELP'];
  return [];
}

function sampleBelongs(sample: string, family: Family, format: ExpositionFormat): boolean {
  switch (family.type) {
    case 'counter':
      return format === 'openmetrics' ? sample === `${family.name}_total` : sample === family.name;
    case 'histogram':
      return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(sample);
    case 'summary':
      return [family.name, `${family.name}_sum`, `${family.name}_count`].includes(sample);
    default:
      return sample === family.name;
  }
}

/** `name{label="value",...} value` with the label value escapes of both formats; the reason as a string on failure. */
export function parseSample(line: string): Sample | string {
  const nameEnd = line.search(/[{ ]/);
  if (nameEnd <= 0) return `no metric name in ${JSON.stringify(line)}`;
  const name = line.slice(0, nameEnd);
  if (!METRIC_NAME.test(name)) return `invalid metric name ${JSON.stringify(name)}`;
  const labels: Record<string, string> = {};
  let at = nameEnd;
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const equals = line.indexOf('=', at);
      if (equals === -1) return 'label without =';
      const labelName = line.slice(at, equals);
      if (!LABEL_NAME.test(labelName)) return `invalid label name ${JSON.stringify(labelName)}`;
      if (Object.hasOwn(labels, labelName)) return `label ${labelName} repeated`;
      if (line[equals + 1] !== '"') return `label ${labelName} value is not quoted`;
      let value = '';
      let index = equals + 2;
      for (; index < line.length && line[index] !== '"'; index += 1) {
        const char = line[index];
        if (char === '\\') {
          const next = line[index + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else return `invalid escape \\${next ?? ''} in label ${labelName}`;
          index += 1;
        } else {
          value += char;
        }
      }
      if (index >= line.length) return `unterminated value of label ${labelName}`;
      labels[labelName] = value;
      at = index + 1;
      if (line[at] === ',') at += 1;
      else if (line[at] !== '}') return `expected , or } after label ${labelName}`;
    }
    at += 1;
  }
  if (line[at] !== ' ') return 'no space before the value';
  const value = line.slice(at + 1);
  if (!FLOAT.test(value)) return `invalid value ${JSON.stringify(value)} (timestamps are never written)`;
  return { name, labels, value };
}

function seriesKey(sample: Sample): string {
  const labels = Object.entries(sample.labels).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${sample.name}${JSON.stringify(labels)}`;
}

/** Every sample of a body, for assertions on values and labels. */
export function samplesOf(body: Buffer | string): Sample[] {
  const samples: Sample[] = [];
  for (const line of body.toString().split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const parsed = parseSample(line);
    if (typeof parsed === 'string') throw new Error(parsed);
    samples.push(parsed);
  }
  return samples;
}
