// Loading: YAML text → env expansion → schema (defaults, cross-field rules) → files read → frozen Config.
// Every problem found is reported, one per line, as `<file>: <key path>: <reason>`.

import { createHash } from 'node:crypto';
import { readFile as readFileFromDisk } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { SentinelError, type ErrorCode } from '../errors.ts';
import { expandEnv, type Env } from './env.ts';
import { formatKeyPath, isWithin, type ConfigIssue, type KeyPath } from './issues.ts';
import { readFailureReason, resolveConfig, type ReadFile } from './resolve.ts';
import { configSchema, type Config, type LogLevel } from './schema.ts';
import { parseWithSchema } from './zod-issues.ts';

export interface LoadedConfig {
  readonly config: Config;
  /** sha256 (hex) of the config file's text, as `sha256sum` prints it. */
  readonly sha256: string;
  /**
   * Changes whenever the config file or any file it names (secrets, certificates) changes; a reload with an equal
   * digest is a no-op. Derived from secrets: compare it, never show it.
   */
  readonly digest: string;
}

/** Values given on the command line that replace the file's, on every load. */
export interface ConfigOverrides {
  listenAddress?: string | undefined;
  /** Relative to the working directory, as any command line path. */
  dataDir?: string | undefined;
  logLevel?: LogLevel | undefined;
  restartEnabled?: boolean | undefined;
  restartDryRun?: boolean | undefined;
}

export interface ParseOptions {
  /** Names the config in messages: the file path as the user gave it. */
  source: string;
  /** Relative file paths in the config resolve against it. */
  baseDir: string;
  env?: Env | undefined;
  readFile?: ReadFile | undefined;
  overrides?: ConfigOverrides | undefined;
}

const readUtf8: ReadFile = (path) => readFileFromDisk(path, 'utf8');
// The YAML library refuses documents that expand aliases more than this (a "billion laughs" guard).
const MAX_ALIAS_COUNT = 100;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** One hash over several inputs; each is length-prefixed so moving bytes between inputs changes it. */
function digestOf(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:`).update(part);
  return hash.digest('hex');
}

function fail(code: ErrorCode, lines: readonly string[]): never {
  throw new SentinelError(code, [...new Set(lines)].join('\n'));
}

/** Formats issues as `<source>: <key path>: <reason>`; `locate` may name a key differently (e.g. as a flag). */
export function formatIssues(
  source: string,
  issues: readonly ConfigIssue[],
  locate?: (path: KeyPath) => string | undefined,
): string[] {
  return issues.map(({ path, message }) => {
    const located = locate?.(path);
    if (located !== undefined) return `${located}: ${message}`;
    return path.length === 0 ? `${source}: ${message}` : `${source}: ${formatKeyPath(path)}: ${message}`;
  });
}

// The YAML library's messages can quote the text they stopped at, which may be an unquoted password: only these
// fixed texts, with the line and column, ever leave the parser.
const YAML_PROBLEMS: Record<YAMLError['code'], string> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias (*name) that is not valid; a value that starts with * must be quoted',
  BAD_DIRECTIVE: 'an unsupported or malformed % directive',
  BAD_DQ_ESCAPE: 'an invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'bad indentation, or a [ or { that is not closed',
  BAD_PROP_ORDER: 'an anchor or a tag in the wrong place',
  BAD_SCALAR_START: 'a plain value starts with a reserved character; quote the value',
  BLOCK_AS_IMPLICIT_KEY: 'nested mappings are not allowed in compact mappings',
  BLOCK_IN_FLOW: 'a block collection inside a flow collection',
  DUPLICATE_KEY: 'a key appears twice (map keys must be unique)',
  IMPOSSIBLE: 'the parser failed',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters',
  MISSING_CHAR: 'a character is missing here: a closing quote or bracket, or the - of a sequence item',
  MULTILINE_IMPLICIT_KEY: 'a key spans several lines',
  MULTIPLE_ANCHORS: 'a value has more than one anchor',
  MULTIPLE_DOCS: 'only one YAML document is allowed',
  MULTIPLE_TAGS: 'a value has more than one tag',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: 'aliases expand too far',
  TAB_AS_INDENT: 'tabs are not allowed as indentation',
  TAG_RESOLVE_FAILED: 'an unknown tag; a value that starts with ! must be quoted',
  UNEXPECTED_TOKEN: 'unexpected text here, e.g. a sequence item without its - or a value that needs quotes',
  BAD_COLLECTION_TYPE: 'a collection of the wrong type for its tag',
};

function yamlProblem(source: string, error: YAMLError, lines: LineCounter): string {
  const { line, col } = lines.linePos(error.pos[0]);
  return `${source}:${line}:${col}: invalid YAML: ${YAML_PROBLEMS[error.code] ?? 'the parser failed'}`;
}

/** What went wrong converting a parsed document, in words of our own (the library's quote the alias's name). */
function conversionProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  if (message.startsWith('Unresolved alias')) return 'an alias (*name) refers to no anchor; a value that starts with * must be quoted';
  if (message.includes('alias count')) return YAML_PROBLEMS.RESOURCE_EXHAUSTION;
  return 'the document cannot be converted';
}

function parseYaml(text: string, source: string): unknown {
  const lines = new LineCounter();
  let tree: unknown;
  try {
    const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0) {
      fail('CS_ERR_CONFIG_INVALID', problems.map((problem) => yamlProblem(source, problem, lines)));
    }
    tree = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    if (err instanceof SentinelError) throw err;
    // Unresolved aliases, alias bombs and the like surface while converting.
    fail('CS_ERR_CONFIG_INVALID', [`${source}: invalid YAML: ${conversionProblem(err)}`]);
  }
  if (tree === null || tree === undefined) {
    fail('CS_ERR_CONFIG_INVALID', [`${source}: the file is empty; at least "clusters" is required`]);
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    const got = Array.isArray(tree) ? 'a list' : 'a single value';
    fail('CS_ERR_CONFIG_INVALID', [`${source}: expected a mapping of keys at the top level, got ${got}`]);
  }
  return tree;
}

function setIn(tree: Record<string, unknown>, section: string, key: string, value: unknown): void {
  const current = tree[section];
  const object = current !== null && typeof current === 'object' && !Array.isArray(current) ? current : {};
  tree[section] = { ...object, [key]: value };
}

function applyOverrides(tree: Record<string, unknown>, overrides: ConfigOverrides): void {
  if (overrides.listenAddress !== undefined) setIn(tree, 'web', 'listenAddress', overrides.listenAddress);
  if (overrides.logLevel !== undefined) setIn(tree, 'log', 'level', overrides.logLevel);
  if (overrides.restartEnabled !== undefined) setIn(tree, 'restart', 'enabled', overrides.restartEnabled);
  if (overrides.restartDryRun !== undefined) setIn(tree, 'restart', 'dryRun', overrides.restartDryRun);
}

export interface BuildOptions extends Omit<ParseOptions, 'source'> {
  /** Expand `${NAME}` in string values (files: yes; flags: no, the shell already did). */
  expandEnv: boolean;
  /** Formats the collected issues into message lines. */
  format: (issues: readonly ConfigIssue[]) => string[];
  /** The error code for problems in the config itself. */
  code: ErrorCode;
}

/** The shared pipeline behind files and flags: a parsed tree in, a frozen Config out. */
export async function buildConfig(
  tree: Record<string, unknown>,
  options: BuildOptions,
): Promise<{ config: Config; fileContents: string[] }> {
  const overridden = { ...tree };
  if (options.overrides) applyOverrides(overridden, options.overrides);
  const expanded = options.expandEnv ? expandEnv(overridden, options.env ?? {}) : { value: overridden, issues: [] };
  const parsed = await parseWithSchema(configSchema, expanded.value);
  if (!parsed.ok || expanded.issues.length > 0) {
    // A value whose variable is unset would fail the schema too; report the cause only.
    const causedByEnv = (path: KeyPath) => expanded.issues.some((issue) => isWithin(path, issue.path));
    const schemaIssues = parsed.ok ? [] : parsed.issues.filter((issue) => !causedByEnv(issue.path));
    fail(options.code, options.format([...expanded.issues, ...schemaIssues]));
  }
  const { resolved, issues } = await resolveConfig(parsed.value, {
    baseDir: options.baseDir,
    readFile: options.readFile ?? readUtf8,
  });
  if (issues.length > 0) fail(options.code, options.format(issues));
  const dataDir = options.overrides?.dataDir;
  const config = dataDir === undefined ? resolved.config : Object.freeze({ ...resolved.config, dataDir });
  return { config, fileContents: resolved.fileContents };
}

/** Parses config text; `loadConfigFile` without the file system, for tests and tools. */
export async function parseConfigText(text: string, options: ParseOptions): Promise<LoadedConfig> {
  const tree = parseYaml(text, options.source) as Record<string, unknown>;
  const { config, fileContents } = await buildConfig(tree, {
    ...options,
    expandEnv: true,
    format: (issues) => formatIssues(options.source, issues),
    code: 'CS_ERR_CONFIG_INVALID',
  });
  return toLoadedConfig(config, text, fileContents);
}

/** `text` is what sha256 covers; `secretInputs` (secrets, file contents) only feed the digest. */
export function toLoadedConfig(config: Config, text: string, secretInputs: readonly string[]): LoadedConfig {
  return Object.freeze({ config, sha256: sha256(text), digest: digestOf([text, ...secretInputs]) });
}

/** Reads and validates a config file and the files it names. Throws CS_ERR_CONFIG_READ or CS_ERR_CONFIG_INVALID. */
export async function loadConfigFile(
  path: string,
  env: Env = process.env,
  options: { overrides?: ConfigOverrides | undefined; readFile?: ReadFile | undefined } = {},
): Promise<LoadedConfig> {
  const readFile = options.readFile ?? readUtf8;
  let text: string;
  try {
    text = await readFile(path);
  } catch (err) {
    throw new SentinelError('CS_ERR_CONFIG_READ', `${path}: cannot read the config file: ${readFailureReason(err)}`, {
      cause: err,
    });
  }
  const baseDir = dirname(resolvePath(path));
  return parseConfigText(text, { source: path, baseDir, env, readFile, overrides: options.overrides });
}
