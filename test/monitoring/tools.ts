// Runs the real Prometheus tools (promtool, amtool) with a time limit and collects their output.

import { spawn } from 'node:child_process';
import { tool, type Tool } from '../support/tools.ts';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `command` is a system tool (looked up on PATH, or a failure naming its package) or an absolute path. */
export function run(command: Tool | `/${string}`, args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.startsWith('/') ? command : tool(command as Tool), args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Fails with the tool's whole output, which says what went wrong far better than an exit code. */
export function expectSuccess(result: RunResult): string {
  if (result.code !== 0) throw new Error(`exit code ${result.code}\n${result.stdout}\n${result.stderr}`);
  return result.stdout + result.stderr;
}
