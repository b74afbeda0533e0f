// Shell-style globs for names and exception classes: `*` is any run of characters (including none, `/` and `.`),
// `?` exactly one character, everything else literal; anchored at both ends and case-sensitive.
// Matching is a two-pointer walk with one backtrack point, so no pattern can make it slow (no regex backtracking).

import { z } from 'zod';

export type GlobMatcher = (s: string) => boolean;

function isLiteral(pattern: string): boolean {
  return !pattern.includes('*') && !pattern.includes('?');
}

/** Matches code point by code point, so `?` is one character even outside the Basic Multilingual Plane. */
function wildcardMatch(pattern: readonly string[], subject: readonly string[]): boolean {
  let p = 0;
  let s = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (s < subject.length) {
    const token = pattern[p];
    if (token === '*') {
      starAt = p++;
      resumeAt = s;
    } else if (token !== undefined && (token === '?' || token === subject[s])) {
      p++;
      s++;
    } else if (starAt >= 0) {
      // Let the last `*` swallow one more character and retry from just after it.
      p = starAt + 1;
      s = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export function compileGlob(pattern: string): GlobMatcher {
  if (pattern === '*') return () => true;
  if (isLiteral(pattern)) return (s) => s === pattern;
  const prefix = pattern.slice(0, -1);
  if (pattern.endsWith('*') && isLiteral(prefix)) return (s) => s.startsWith(prefix);
  const suffix = pattern.slice(1);
  if (pattern.startsWith('*') && isLiteral(suffix)) return (s) => s.endsWith(suffix);
  const tokens = Array.from(pattern);
  return (s) => wildcardMatch(tokens, Array.from(s));
}

/** Any of the patterns matches; an empty list matches nothing. */
export function compileGlobs(patterns: readonly string[]): GlobMatcher {
  const matchers = patterns.map(compileGlob);
  if (matchers.length === 1 && matchers[0] !== undefined) return matchers[0];
  return (s) => matchers.some((matches) => matches(s));
}

export const globSchema = z.string().min(1, 'glob must not be empty');
