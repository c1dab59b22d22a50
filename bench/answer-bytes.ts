// What the agent pays for: tools/list, and each answer at the defaults (text and structured
// content) next to the raw upstream JSON the same answer is made from.
import { request } from 'undici';
import { RawServer } from '../test/raw-server.js';
import { startSimProcess, type SimProcess } from './sim-process.js';
import { table, type Row } from './stats.js';

const DAY_MS = 86_400_000;

async function rawBytes(sim: SimProcess, key: string, path: string): Promise<{ bytes: number; body: any }> {
  const res = await request(`${sim.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.body.text();
  return { bytes: Buffer.byteLength(text), body: JSON.parse(text) };
}

/** Every ledger page a walk over these filters reads, as raw bytes. */
async function rawLedgerBytes(sim: SimProcess, query: string, maxRows: number): Promise<number> {
  let bytes = 0;
  for (let offset = 0; offset < maxRows; offset += 100) {
    const page = await rawBytes(sim, sim.keys.synap, `/v1/credits/ledger?${query}&limit=100&offset=${offset}`);
    bytes += page.bytes;
    if (offset + 100 >= page.body.total) break;
  }
  return bytes;
}

export async function benchAnswerBytes(): Promise<string> {
  const sim = await startSimProcess();
  const client = new RawServer({
    SIGNAL_FOUNDRY_API_KEY: sim.keys.signalFoundry,
    SIGNAL_FOUNDRY_BASE_URL: sim.url,
    SYNAP_API_KEY: sim.keys.synap,
    SYNAP_BASE_URL: sim.url,
  });
  await client.initialize();
  // The server writes JSON.stringify output, so re-serializing gives the bytes on the wire.
  const listLine = JSON.stringify(await client.request('tools/list', {}));
  const modern = new RawServer({});
  await modern.discover();
  const modernListLine = JSON.stringify(await modern.request('tools/list', {}));
  modern.kill('SIGTERM');
  const rows: Row[] = [
    ['tools/list (3 tools), 2025 era', String(Buffer.byteLength(listLine)), '-', '-', '-'],
    ['tools/list (3 tools), 2026 era', String(Buffer.byteLength(modernListLine)), '-', '-', '-'],
  ];
  const now = Date.now();
  const to = encodeURIComponent(new Date(now).toISOString());
  const from30 = encodeURIComponent(new Date(now - 30 * DAY_MS).toISOString());
  const raw: Record<string, () => Promise<number>> = {
    'signal-foundry check_balance': async () => (await rawBytes(sim, sim.keys.signalFoundry, '/api/signal-foundry/credits/balance')).bytes,
    'signal-foundry get_credit_summary': async () => (await rawBytes(sim, sim.keys.signalFoundry, '/api/signal-foundry/credits?days=30&limit=10')).bytes,
    'signal-foundry get_credit_ledger': async () => (await rawBytes(sim, sim.keys.signalFoundry, '/api/signal-foundry/credits?days=30&limit=100')).bytes,
    'synap check_balance': async () => (await rawBytes(sim, sim.keys.synap, '/v1/credits/balance')).bytes,
    'synap get_credit_summary': () => rawLedgerBytes(sim, `from=${from30}&to=${to}`, 20_000),
    'synap get_credit_ledger': () => rawLedgerBytes(sim, `to=${to}`, 2000),
  };
  for (const provider of ['signal-foundry', 'synap']) {
    for (const name of ['check_balance', 'get_credit_summary', 'get_credit_ledger']) {
      const result = (await client.request('tools/call', { name, arguments: { provider } })).result as { content: Array<{ text: string }>; structuredContent: object };
      const text = Buffer.byteLength(result.content[0]!.text);
      const structured = Buffer.byteLength(JSON.stringify(result.structuredContent));
      const upstream = await raw[`${provider} ${name}`]!();
      rows.push([`${provider} ${name}`, String(text + structured), String(text), String(structured), `${upstream} (${(upstream / structured).toFixed(1)} x)`]);
    }
  }
  client.kill('SIGTERM');
  sim.close();
  return table(
    'Bytes the agent receives, at default arguments (targets: tools/list <= 6500, each text <= 1200)',
    ['answer', 'total', 'text', 'structured', 'raw upstream JSON (x structured)'],
    rows,
  );
}
