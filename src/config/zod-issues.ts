// Turns zod's issues into config issues with our wording: a key path, a short reason, and for a misspelt key the
// key that was probably meant. Type errors never echo the value: it might be a secret written in the wrong place.

import { z } from 'zod';
import type { ConfigIssue } from './issues.ts';
import { quote } from './quote.ts';

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

function describeValue(input: unknown): string {
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'boolean') return 'a boolean';
  if (typeof input === 'number') {
    if (Number.isNaN(input)) return 'not-a-number';
    if (!Number.isFinite(input)) return 'infinity';
    if (!Number.isInteger(input)) return 'a fraction';
  }
  return TYPE_NOUNS[typeof input] ?? typeof input;
}

function sizeWord(origin: string, count: number): string {
  if (origin === 'string') return `${count} character${count === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${count} item${count === 1 ? '' : 's'}`;
  return String(count);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known key a misspelt one most likely meant: same letters in another case or style, or a small typo. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  const normalise = (text: string) => text.toLowerCase().replace(/[_-]/g, '');
  const sameWord = known.find((candidate) => normalise(candidate) === normalise(key));
  if (sameWord !== undefined) return sameWord;
  const allowed = key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of known) {
    const distance = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function knownKeysOf(issue: RawIssue): string[] {
  const def: unknown = issue.inst?._zod.def;
  const shape = (def as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function messageFor(issue: RawIssue, knownKeys: WeakMap<object, string[]>): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${TYPE_NOUNS[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'string' && minimum === 1) return 'must not be empty';
      if (issue.origin === 'array' && minimum === 1) return 'must not be empty';
      return issue.inclusive === false
        ? `must be greater than ${sizeWord(issue.origin, minimum)}`
        : `must be at least ${sizeWord(issue.origin, minimum)}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      return issue.inclusive === false
        ? `must be less than ${sizeWord(issue.origin, maximum)}`
        : `must be at most ${sizeWord(issue.origin, maximum)}`;
    }
    case 'invalid_value': {
      const allowed = issue.values.map((value) => String(value)).join(', ');
      const given = typeof issue.input === 'string' ? `, got ${quote(issue.input)}` : '';
      return issue.values.length === 1 ? `must be ${allowed}${given}` : `must be one of ${allowed}${given}`;
    }
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return `invalid ${issue.format}`;
    case 'unrecognized_keys':
      knownKeys.set(issue.keys, knownKeysOf(issue));
      return 'unknown key';
    default:
      return undefined;
  }
}

const SECRET_KEYS = new Set(['password', 'token', 'bearerToken', 'key']);

function toConfigIssues(issues: readonly z.core.$ZodIssue[], knownKeys: WeakMap<object, string[]>): ConfigIssue[] {
  return issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code !== 'unrecognized_keys') return [{ path: issue.path, message: issue.message }];
    const known = knownKeys.get(issue.keys) ?? [];
    const holdsSecret = known.some((key) => SECRET_KEYS.has(key));
    return issue.keys.map((key) => {
      const suggestion = suggestKey(key, known);
      if (suggestion !== undefined) return { path: [...issue.path, key], message: `unknown key (did you mean ${suggestion}?)` };
      // `{ password: ,s3cr3t }` makes the password a key: beside a secret, a key unlike any known one is not named.
      if (holdsSecret) return { path: issue.path, message: 'an unknown key (not named: beside a secret it may be a misplaced value)' };
      return { path: [...issue.path, key], message: 'unknown key' };
    });
  });
}

export type SchemaResult<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

/** Parses with our messages; messages a schema sets itself (cross-field rules) are kept as they are. */
export async function parseWithSchema<S extends z.ZodType>(schema: S, input: unknown): Promise<SchemaResult<z.output<S>>> {
  const knownKeys = new WeakMap<object, string[]>();
  const result = await schema.safeParseAsync(input, { error: (issue) => messageFor(issue, knownKeys) });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: toConfigIssues(result.error.issues, knownKeys) };
}
