// `${NAME}` expansion in the string values of a parsed config, so secrets and per-host values can come from the
// environment. `$$` is a literal dollar; any other `$` is kept as written.

import type { ConfigIssue, KeyPath } from './issues.ts';
import { quote } from './quote.ts';

export type Env = Readonly<Record<string, string | undefined>>;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Deeper than any real config; stops a hostile document from exhausting the stack.
const MAX_DEPTH = 64;

type Expansion = { ok: true; value: string } | { ok: false; message: string };

export function expandString(text: string, env: Env): Expansion {
  if (!text.includes('$')) return { ok: true, value: text };
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = text.indexOf('}', dollar + 2);
      if (close < 0) return { ok: false, message: 'unterminated "${": write ${NAME}, or $$ for a literal dollar' };
      const name = text.slice(dollar + 2, close);
      if (!VARIABLE_NAME.test(name)) return { ok: false, message: `invalid environment variable name ${quote(name)}` };
      const value = env[name];
      if (value === undefined) return { ok: false, message: `environment variable ${name} is not set` };
      out += value;
      i = close + 1;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  return { ok: true, value: out };
}

/** Expands every string value (never keys) of a parsed YAML tree; problems carry the key path of their value. */
export function expandEnv(tree: unknown, env: Env): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: KeyPath): unknown => {
    if (path.length > MAX_DEPTH) {
      issues.push({ path, message: `nested deeper than ${MAX_DEPTH} levels` });
      return node;
    }
    if (typeof node === 'string') {
      const result = expandString(node, env);
      if (result.ok) return result.value;
      issues.push({ path, message: result.message });
      return node;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      // fromEntries defines own properties, so a `__proto__` key stays a plain key.
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]));
    }
    return node;
  };
  const value = walk(tree, []);
  return { value, issues };
}
