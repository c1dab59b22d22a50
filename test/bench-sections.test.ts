// `npm run bench` refuses a section it does not know in one line, before it builds anything,
// and the README's list of sections is the one the bench has.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The section names of the README's `<!-- bench: sections -->` table. */
function readmeSections(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- bench: sections -->');
  expect(start).toBeGreaterThan(-1);
  const table = readme.slice(start).split('\n\n')[0]!;
  return [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]!);
}

describe('npm run bench -- <section>', () => {
  it('refuses an unknown section in one line naming every section, exit 2, nothing built', () => {
    const cli = join(root, 'dist/cli.js');
    const builtAt = existsSync(cli) ? statSync(cli).mtimeMs : undefined;
    const run = spawnSync('npm', ['run', '--silent', 'bench', '--', 'nope'], { cwd: root, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const m = /^bench: unknown section "nope"; the sections are ([a-z-]+(?:, [a-z-]+)*)$/.exec(lines[0]!);
    expect(m, run.stderr).not.toBeNull();
    expect(m![1]!.split(', ')).toEqual(readmeSections());
    expect(existsSync(cli) ? statSync(cli).mtimeMs : undefined).toBe(builtAt);
  });

  it('accepts every section the README lists (names checked only, nothing run)', () => {
    const run = spawnSync(process.execPath, [join(root, '.bench/bench.mjs'), '--check', ...readmeSections()], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toBe('');
  });
});
