import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = [...doc.matchAll(/^\| `(CS_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]);

describe('docs/errors.md', () => {
  it('documents exactly the codes of src/errors.ts, in the same order', () => {
    expect(documented).toEqual(Object.keys(ERROR_CODES));
  });
});
