// `npm run bench`: every measurement side by side in one run, printed as tables.
import { cpus } from 'node:os';
import { benchAnswerBytes } from './answer-bytes.js';
import { benchCallOverhead } from './call-overhead.js';
import { benchFleet } from './fleet.js';
import { benchColdStart } from './cold-start.js';
import { benchHttp } from './http.js';
import { benchLedgerSession } from './ledger-session.js';
import { benchLedgerWalk } from './ledger-walk.js';
import { benchLedgerWalkStdio } from './ledger-walk-stdio.js';
import { benchMemory } from './memory.js';

const out = (s: string) => process.stdout.write(s + '\n');
const sections: Record<string, () => Promise<string>> = {
  'cold-start': benchColdStart,
  'call-overhead': benchCallOverhead,
  'answer-bytes': benchAnswerBytes,
  'ledger-walk': benchLedgerWalk,
  'ledger-walk-stdio': benchLedgerWalkStdio,
  'ledger-session': benchLedgerSession,
  memory: benchMemory,
  http: benchHttp,
  fleet: benchFleet,
};
// `npm run bench -- cold-start memory` runs only those sections; no name runs them all.
// scripts/bench.mjs runs this with --check first, before it builds dist/: names only, no bench.
const check = process.argv[2] === '--check';
const asked = process.argv.slice(check ? 3 : 2);
const unknown = asked.filter((name) => !(name in sections));
if (unknown.length) {
  // One line and exit 2, as the server's own start-up refusals: a typo is not a stack trace.
  process.stderr.write(`bench: unknown section ${unknown.map((n) => `"${n}"`).join(', ')}; the sections are ${Object.keys(sections).join(', ')}\n`);
  process.exit(2);
}
if (check) process.exit(0);
out(`credit-mcp bench, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
for (const [name, run] of Object.entries(sections)) if (!asked.length || asked.includes(name)) out(await run());
