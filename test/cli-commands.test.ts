// The command line as a person uses it: the built dist/cli.js in a child process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMAND_FLAGS, OPTIONS } from '../src/commands/command-line.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('the command line', () => {
  it.each([
    [['--port', '1'], /--port does not apply to the server/],
    [['sim', '--demo'], /--demo does not apply to sim/],
    [['sim', 'now'], /unexpected argument "now"/],
    [['server'], /unknown command "server"/],
  ])('%j is refused with exit 2', async (args, message) => {
    const r = await run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('--help', () => {
  it('lists every command and every flag the parser takes, and no other', async () => {
    const r = await run(['--help']);
    expect(r.status).toBe(0);
    for (const command of Object.keys(COMMAND_FLAGS).filter((c) => c !== 'server')) {
      expect(r.stdout).toMatch(new RegExp(`^  credit-mcp ${command} `, 'm'));
    }
    const listed = new Set([...r.stdout.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]));
    expect([...listed].sort()).toEqual(Object.keys(OPTIONS).sort());
    expect(r.stdout).toMatch(/^ {2}-h, --help/m);
    expect(r.stdout).toMatch(/^ {2}-v, --version/m);
  });
});
