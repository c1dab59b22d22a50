// The floor for cold start: the least an SDK v2 server with our three tool listings can be.
// The same names, descriptions, annotations and argument and output shapes, registered the
// plain way with zod, answers that do no work, served by serveStdio. Bundled like dist/cli.js.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

const provider = z.enum(['signal-foundry', 'synap']).optional();
const annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const nullableNumber = z.number().nullable();

const tools: Record<string, { description: string; inputSchema: z.ZodObject; outputSchema: z.ZodObject }> = {
  check_balance: {
    description: 'Credit balance now, with reserved credits and next expiry. Pass required_credits to decide if a write is affordable.',
    inputSchema: z.object({
      provider,
      required_credits: z.number().positive().optional(),
      estimate: z.object({ metric_type: z.string().min(1).max(64), units: z.number().positive(), item_count: z.number().int().positive().optional() }).optional(),
    }),
    outputSchema: z.object({
      provider: z.string(),
      as_of: z.string(),
      available_credits: z.number(),
      remaining_credits: nullableNumber,
      reserved_credits: nullableNumber,
      low_balance: z.boolean().nullable(),
      grants: z.array(z.object({ id: z.string().nullable(), source: z.string(), remaining_credits: z.number(), expires_at: z.string().nullable() })),
      next_expiry: z.object({ expires_at: z.string(), remaining_credits: z.number() }).nullable(),
      required_credits: nullableNumber,
      decision: z.enum(['sufficient', 'insufficient', 'not_requested']),
      shortfall_credits: nullableNumber,
      guidance: z.string(),
    }),
  },
  get_credit_summary: {
    description: 'What used credits in the last days: total, by meter, by usage, recent events.',
    inputSchema: z.object({ provider, days: z.number().int().min(1).max(365).default(30), recent_limit: z.number().int().min(1).max(100).default(10) }),
    outputSchema: z.object({
      provider: z.string(),
      period: z.object({ start: z.string(), end: z.string(), days: z.number() }),
      used_credits: z.number(),
      by_meter: z.array(z.object({ meter: z.string(), credits: z.number() })),
      by_usage: z.array(z.object({ usage: z.string(), credits: z.number() })),
      recent_events: z.array(z.object({ id: z.string(), at: z.string(), meter: z.string().nullable(), usage: z.string().nullable(), credits: z.number() })),
      last_recorded_at: z.string().nullable(),
      derived_from_ledger: z.boolean(),
      partial: z.boolean(),
      guidance: z.string(),
    }),
  },
  get_credit_ledger: {
    description: 'Ledger rows newest first, with exact totals over every entry scanned.',
    inputSchema: z.object({
      provider,
      entry_type: z.string().min(1).max(64).optional(),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
      limit: z.number().int().min(1).max(100).default(20),
      scan_limit: z.number().int().min(1).max(100_000).default(2000),
      cursor: z.string().min(1).optional(),
    }),
    outputSchema: z.object({
      provider: z.string(),
      entries: z.array(z.object({ ledger_id: z.string(), entry_type: z.string(), delta: z.number(), created_at: z.string() })),
      totals: z.object({ count: z.number(), credits_added: z.number(), credits_used: z.number(), net: z.number() }),
      by_category: z.array(z.object({ category: z.string().nullable(), count: z.number(), net: z.number() })),
      by_metric: z.array(z.object({ metric_type: z.string().nullable(), count: z.number(), net: z.number() })),
      total_matching: nullableNumber,
      scanned: z.number(),
      complete: z.boolean(),
      next_cursor: z.string().nullable(),
      guidance: z.string(),
    }),
  },
};

serveStdio(() => {
  const server = new McpServer({ name: 'floor', version: '1.0.0' }, { capabilities: { tools: {} } });
  for (const [name, tool] of Object.entries(tools)) {
    server.registerTool(name, { ...tool, annotations }, async () => ({ content: [{ type: 'text', text: 'floor' }], isError: true }));
  }
  return server;
});
