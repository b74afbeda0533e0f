// Small PromQL builders, so every rule applies the configured selector and keeps the configured group labels.

/** `metric{selector, matcher…}`; empty parts are skipped. */
export function series(metric: string, ...matchers: string[]): string {
  const parts = matchers.map((m) => m.trim()).filter((m) => m !== '');
  return parts.length === 0 ? metric : `${metric}{${parts.join(', ')}}`;
}

/** `by (a, b)` with duplicates removed, first occurrence kept. */
export function by(labels: readonly string[]): string {
  return `by (${[...new Set(labels)].join(', ')})`;
}

/** A number as PromQL and YAML show it: no exponent, no trailing zeros. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
