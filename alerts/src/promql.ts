// Small PromQL builders, so every rule applies the configured selector and keeps the configured group labels.

/** `metric{selector, matcher…}`; empty parts are skipped. */
export function series(metric: string, ...matchers: string[]): string {
  const parts = matchers.map((m) => m.trim()).filter((m) => m !== '');
  return parts.length === 0 ? metric : `${metric}{${parts.join(', ')}}`;
}

/** `by (a, b)` with duplicates removed, first occurrence kept. */
export function by(labels: readonly string[]): string {
  return `by (${labelList(labels)})`;
}

/** `on (a, b)`, for matching two vectors on the labels an aggregation `by` the same labels keeps. */
export function on(labels: readonly string[]): string {
  return `on (${labelList(labels)})`;
}

function labelList(labels: readonly string[]): string {
  return [...new Set(labels)].join(', ');
}

/** A number as PromQL and YAML show it: no exponent, no trailing zeros. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}
