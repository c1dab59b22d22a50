// `npm run bench`: every measurement side by side in one run, printed as tables.
import { cpus } from 'node:os';
import { benchAnswerBytes } from './answer-bytes.js';
import { benchCallOverhead } from './call-overhead.js';
import { benchColdStart } from './cold-start.js';
import { benchLedgerSession } from './ledger-session.js';
import { benchLedgerWalk } from './ledger-walk.js';
import { benchMemory } from './memory.js';

const out = (s: string) => process.stdout.write(s + '\n');
out(`credit-mcp bench, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
out(await benchColdStart());
out(await benchCallOverhead());
out(await benchAnswerBytes());
out(await benchLedgerWalk());
out(await benchLedgerSession());
out(await benchMemory());
