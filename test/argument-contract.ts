// Which tool arguments are valid, written from the contract (shared/contracts.md and the
// README), not from the server's schemas, so the property test can hold the two against each
// other. Judged on the arguments as JSON carries them.

export type ToolName = 'check_balance' | 'get_credit_summary' | 'get_credit_ledger';

export type Verdict = { valid: true } | { valid: false; names: string[] };

export interface ContractContext {
  /** The provider a call without `provider` goes to (CREDIT_MCP_DEFAULT_PROVIDER). */
  defaultProvider: 'signal-foundry' | 'synap';
  /** A cursor the server issued on synap for a walk with no filters; any other string is foreign. */
  realCursor: string;
}

const PROVIDERS = ['signal-foundry', 'synap'];
const PRICED_METRICS = ['llm_input_tokens', 'llm_output_tokens', 'embedding_tokens', 'memory_storage_gb_hours', 'retrieval_queries'];

const ARGUMENTS: Record<ToolName, string[]> = {
  check_balance: ['provider', 'required_credits', 'estimate'],
  get_credit_summary: ['provider', 'days', 'recent_limit'],
  get_credit_ledger: ['provider', 'entry_type', 'from', 'to', 'limit', 'scan_limit', 'cursor'],
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** JSON numbers past 2^53 are not exact integers; the contract's integers are. */
const isInt = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isPositive = (v: unknown) => typeof v === 'number' && v > 0;
/** Identifiers sent upstream: 1 to 64 of letters, digits and _ . : - (pinned details). */
const isIdentifier = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(v);

// RFC 3339 date-time with seconds and an offset: what "ISO 8601 date-time with a timezone" means here.
const INSTANT = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|([+-])(\d\d):(\d\d))$/;

/** Nanoseconds since the epoch, or undefined when `v` is not a valid instant. */
export function instantNs(v: unknown): bigint | undefined {
  if (typeof v !== 'string') return undefined;
  const m = INSTANT.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', zone, sign, oh, om] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined; // 2026-02-30
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    if (Number(oh) > 23 || Number(om) > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  return BigInt(date.getTime()) * 1_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
}

export function judge(tool: ToolName, raw: unknown, ctx: ContractContext): Verdict {
  // No arguments at all (absent or null) means every default.
  const args = raw ?? {};
  if (!isObject(args)) return { valid: false, names: ['arguments'] };
  // The SDK's parsing of tools/call drops a top-level `__proto__` key before any tool sees it
  // (prototype-pollution safety): it is neither refused nor used.
  const bad: string[] = Object.keys(args).filter((k) => k !== '__proto__' && !ARGUMENTS[tool].includes(k));
  const has = (k: string) => Object.hasOwn(args, k);
  const check = (k: string, ok: (v: unknown) => boolean) => {
    if (has(k) && !ok(args[k])) bad.push(k);
  };
  check('provider', (v) => PROVIDERS.includes(v as string));

  if (tool === 'check_balance') {
    check('required_credits', isPositive);
    if (has('estimate')) {
      const e = args.estimate;
      if (!isObject(e)) bad.push('estimate');
      else {
        for (const k of Object.keys(e)) if (!['metric_type', 'units', 'item_count'].includes(k)) bad.push(`estimate.${k}`);
        if (!isIdentifier(e.metric_type) || !isPositive(e.units)) bad.push('estimate');
        if (Object.hasOwn(e, 'item_count') && !isInt(e.item_count, 1, Number.MAX_SAFE_INTEGER)) bad.push('estimate');
      }
    }
  } else if (tool === 'get_credit_summary') {
    check('days', (v) => isInt(v, 1, 365));
    check('recent_limit', (v) => isInt(v, 1, 100));
  } else {
    check('entry_type', isIdentifier);
    check('from', (v) => instantNs(v) !== undefined);
    check('to', (v) => instantNs(v) !== undefined);
    check('limit', (v) => isInt(v, 1, 100));
    check('scan_limit', (v) => isInt(v, 1, 100_000));
    check('cursor', (v) => typeof v === 'string' && v.length > 0);
  }
  if (bad.length) return { valid: false, names: bad };

  // Rules across arguments, once each argument is well-formed on its own.
  const provider = (args.provider as string | undefined) ?? ctx.defaultProvider;
  if (tool === 'check_balance' && has('estimate')) {
    if (has('required_credits')) bad.push('required_credits', 'estimate');
    if (provider !== 'synap') bad.push('estimate');
  }
  if (tool === 'get_credit_ledger') {
    if (has('from') && has('to') && instantNs(args.from)! > instantNs(args.to)!) bad.push('from');
    if (has('cursor')) {
      const foreign = args.cursor !== ctx.realCursor;
      // The real cursor was made on synap with no filters: any filter given differs from its own.
      const mismatched = provider !== 'synap' || has('entry_type') || has('from') || has('to');
      if (foreign || mismatched) bad.push('cursor');
    }
  }
  return bad.length ? { valid: false, names: bad } : { valid: true };
}

export { PRICED_METRICS };
