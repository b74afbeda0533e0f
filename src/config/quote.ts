// Small text helpers for config error messages.

/** Quotes user input for an error message, bounded so a pasted blob cannot flood it. */
export function quote(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
