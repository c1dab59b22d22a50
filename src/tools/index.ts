// The three tools, in the order tools/list shows them.
import { checkBalance } from './check-balance.js';
import type { CreditTool } from './define-tool.js';
import { getCreditLedger } from './get-credit-ledger.js';
import { getCreditSummary } from './get-credit-summary.js';

export const TOOLS: readonly CreditTool[] = [checkBalance, getCreditSummary, getCreditLedger];
