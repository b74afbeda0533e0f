// A config problem is a key path plus a reason; this module renders the path the way users wrote the YAML.

export type KeyPath = readonly PropertyKey[];

export interface ConfigIssue {
  path: KeyPath;
  message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `clusters[1].basicAuth.password`; odd keys are quoted, e.g. `web["listen address"]`. */
export function formatKeyPath(path: KeyPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key).slice(0, 60))}]`;
  }
  return text;
}

/** True when `path` is `prefix` or lies below it. */
export function isWithin(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => key === path[i]);
}
