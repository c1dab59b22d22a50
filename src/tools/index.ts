// Everything a tool call needs, loaded together on the first request.
import { checkBalance } from './check-balance.js';
import type { CreditTool } from './define-tool.js';
import { getCreditLedger } from './get-credit-ledger.js';
import { getCreditSummary } from './get-credit-summary.js';

export { errorResult } from './define-tool.js';

export const TOOLS: readonly CreditTool[] = [checkBalance, getCreditSummary, getCreditLedger];
