// The small pieces of the text exposition formats (Prometheus 0.0.4 and OpenMetrics 1.0.0): escaping, numbers and
// family headers. Shared by the per-poll renderer and the prom-client formatter so both write exactly alike.

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
 * A label value as it goes between the quotes: backslash, double quote and line feed escaped (both formats).
 * Lone UTF-16 surrogates become U+FFFD here, as the UTF-8 encoder would turn them anyway, so that callers can
 * detect duplicates on the returned text.
 */
export function escapeLabelValue(value: string): string {
  const wellFormed = value.isWellFormed() ? value : value.toWellFormed();
  return LABEL_SPECIAL.test(wellFormed)
    ? wellFormed.replace(LABEL_SPECIAL_ALL, (char) => LABEL_ESCAPES[char] ?? char)
    : wellFormed;
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
