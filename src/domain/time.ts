// The bounds of every time and duration that comes in (config, API, history file). A JavaScript Date ends at
// 8.64e15 ms, and an ISO timestamp past year 9999 is no longer four-digit: far-future values are refused where they
// enter, so no later formatting can throw.

/** 9999-12-31T23:59:59.999Z, in Unix ms: the last instant an ISO timestamp writes with a four-digit year. */
export const MAX_TIME_MS = 253_402_300_799_999;

/** Ten years: longer than any backoff, budget window or silence means a mistake. */
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;
export const MAX_DURATION_TEXT = '10y';
