// A fresh clone anywhere must pass its own tests: nothing in the project reads material outside the repository, and a
// missing system tool fails with the package that brings it.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tool } from '../support/tools.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the repository', () => {
  it('reads nothing from the shared folder beside it', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    const outside = files.filter((file) => /\.\.\/shared|['"`]shared\//.test(readFileSync(`${ROOT}/${file}`, 'latin1')));
    expect(outside).toEqual([]);
  });

  it('names the Debian package of a tool that is missing', () => {
    const path = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      expect(() => tool('promtool')).toThrow('promtool is not installed: install the Debian package prometheus');
      expect(() => tool('prometheus-alertmanager')).toThrow('install the Debian package prometheus-alertmanager');
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('has a LICENSE that is the license package.json names', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    const license = readFileSync(`${ROOT}/LICENSE`, 'utf8');
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
  });

  it('finds an installed tool by its absolute path', () => {
    expect(tool('openssl')).toMatch(/^\/.*\/openssl$/);
  });
});
