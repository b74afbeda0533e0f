// The small pieces of the text exposition formats (Prometheus 0.0.4 and OpenMetrics 1.0.0): escaping, numbers and
// family headers. Shared by the per-poll renderer and the prom-client formatter so both write exactly alike.

import { createHash } from 'node:crypto';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

/** A catalogue definition, or a prom-client metric (whose types also include histogram and summary). */
export interface FamilyDescription {
  readonly name: string;
  readonly type: string;
  readonly help: string;
}

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

const LABEL_SPECIAL = /[\\"\n]/;
const LABEL_SPECIAL_ALL = /[\\"\n]/g;
const LABEL_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '"': '\\"', '\n': '\\n' };

/**
 * Longest label value written, in UTF-16 code units. A connector's name is repeated in every series of the connector
 * and of each of its tasks: unbounded, one 200 KB name with 300 tasks made a 353 MiB exposition.
 */
export const MAX_LABEL_VALUE_LENGTH = 512;
/** Hex digits of the SHA-256 of the whole value that end a cut one, so that two long values never become one. */
const CUT_HASH_DIGITS = 16;
const CUT_MARK = '…';

/**
 * A label value as it goes between the quotes: at most MAX_LABEL_VALUE_LENGTH code units before escaping (a longer
 * one keeps its start, then `…` and a hash of the whole), with backslash, double quote and line feed escaped (both
 * formats). Lone UTF-16 surrogates become U+FFFD here, as the UTF-8 encoder would turn them anyway, so that callers
 * can detect duplicates on the returned text.
 */
export function escapeLabelValue(value: string): string {
  const wellFormed = boundLabelValue(value.isWellFormed() ? value : value.toWellFormed());
  return LABEL_SPECIAL.test(wellFormed)
    ? wellFormed.replace(LABEL_SPECIAL_ALL, (char) => LABEL_ESCAPES[char] ?? char)
    : wellFormed;
}

/** The value, or its cut form when too long; `value` must be well-formed. */
function boundLabelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE_LENGTH) return value;
  let keep = MAX_LABEL_VALUE_LENGTH - CUT_MARK.length - CUT_HASH_DIGITS;
  // Never split a surrogate pair: its first half alone would not be well-formed.
  const last = value.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep -= 1;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, CUT_HASH_DIGITS);
  return `${value.slice(0, keep)}${CUT_MARK}${hash}`;
}

const HELP_SPECIAL_ALL: Readonly<Record<ExpositionFormat, RegExp>> = {
  // Prometheus text knows only these two escapes in HELP; `\"` there would be an invalid escape sequence.
  prometheus: /[\\\n]/g,
  // OpenMetrics HELP is an escaped string like a label value.
  openmetrics: LABEL_SPECIAL_ALL,
};

export function escapeHelp(help: string, format: ExpositionFormat): string {
  return help.toWellFormed().replace(HELP_SPECIAL_ALL[format], (char) => LABEL_ESCAPES[char] ?? char);
}

/** A sample value: integers and decimals as JavaScript prints them (Go's ParseFloat reads them all), and the specials. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/**
 * The name a family goes by in its HELP and TYPE lines. OpenMetrics names a counter family without `_total`
 * (its samples carry the suffix); the Prometheus format names it as its samples.
 */
export function familyName(definition: FamilyDescription, format: ExpositionFormat): string {
  return format === 'openmetrics' && definition.type === 'counter' ? definition.name.replace(/_total$/, '') : definition.name;
}

export function familyHeader(definition: FamilyDescription, format: ExpositionFormat): string {
  const name = familyName(definition, format);
  return `# HELP ${name} ${escapeHelp(definition.help, format)}\n# TYPE ${name} ${definition.type}\n`;
}

export const OPENMETRICS_EOF = '# EOF\n';
