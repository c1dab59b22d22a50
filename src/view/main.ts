// The dashboard: draws whichever credit answer the host hands it, follows the host's theme and
// size, and asks the server (through the host) for another provider, period or page.
import { readAnswer, type Answer, type ProviderId } from './answers.js';
import { renderBalance } from './balance.js';
import { el } from './dom.js';
import { Host, type HostContext, type ToolResult } from './host.js';
import { renderLedger } from './ledger.js';
import { note, type Actions } from './parts.js';
import { renderSummary } from './summary.js';

const root = document.getElementById('app')!;

/** The arguments behind the answer on screen: a new request keeps what the user did not change. */
let args: Record<string, unknown> = {};
let current: Answer | null = null;
/** Ledger rows shown before this page, counted as the user follows next_cursor; null when the agent's own call carried a cursor. */
let offset: number | null = 0;
/** Bumped by every answer that takes the screen, so an older call that returns late is dropped. */
let generation = 0;
let busy = false;
let problem: string | null = null;
let renders = 0;

const host = new Host({
  toolInput(input) {
    args = input;
    offset = typeof input.cursor === 'string' ? null : 0;
  },
  toolResult(result) {
    generation++;
    busy = false;
    take(result);
    draw();
  },
  toolCancelled(reason) {
    problem = `The call was cancelled${reason ? `: ${reason}` : ''}.`;
    draw();
  },
  context: applyContext,
});

function take(result: ToolResult): boolean {
  const text = result.content
    ?.map((c) => (c.type === 'text' ? c.text : ''))
    .join('\n')
    .trim();
  if (result.isError) {
    problem = text || 'The tool reported an error.';
    return false;
  }
  const answer = readAnswer(result.structuredContent);
  if (!answer) {
    problem = `This answer carries no credit data to draw.${text ? ` It says: ${text}` : ''}`;
    return false;
  }
  current = answer;
  problem = null;
  return true;
}

async function ask(tool: Answer['tool'], nextArgs: Record<string, unknown>, nextOffset: number | null = 0): Promise<void> {
  const clean = Object.fromEntries(Object.entries(nextArgs).filter(([, v]) => v !== undefined && v !== null));
  const mine = ++generation;
  busy = true;
  problem = null;
  draw();
  try {
    const result = await host.callTool(tool, clean);
    if (mine !== generation) return; // a newer answer (the host's, or a later click) is on screen
    if (take(result)) {
      args = clean;
      offset = nextOffset;
    }
  } catch (error) {
    if (mine === generation) problem = `The host did not relay the call: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    if (mine === generation) {
      busy = false;
      draw();
    }
  }
}

/** The same question on another provider: what was asked stays, what belonged to the old one goes. */
function onProvider(answer: Answer, provider: ProviderId): void {
  switch (answer.kind) {
    case 'balance':
      // An estimate is priced by synap only; its price is what the write needs on either side.
      return void ask(answer.tool, { provider, required_credits: answer.data.required_credits });
    case 'summary':
      return void ask(answer.tool, { provider, days: answer.data.period.days, recent_limit: args.recent_limit });
    case 'ledger': {
      // The filters as the answer pinned them (a followed cursor no longer names them), so both
      // providers are read up to the same instant.
      const { entry_type, from, to } = answer.data.filters;
      return void ask(answer.tool, { provider, entry_type, from, to, limit: args.limit, scan_limit: args.scan_limit });
    }
  }
}

function actionsFor(answer: Answer): Actions {
  const provider = answer.data.provider;
  return {
    busy,
    provider: (p) => onProvider(answer, p),
    days: (days) => void ask('get_credit_summary', { provider, days, recent_limit: args.recent_limit }),
    nextPage: () => {
      if (answer.kind !== 'ledger' || !answer.data.next_cursor) return;
      // The cursor carries the filters and the pinned snapshot; only the page size is ours to repeat.
      void ask('get_credit_ledger', { provider, cursor: answer.data.next_cursor, limit: args.limit }, offset === null ? null : offset + answer.data.entries.length);
    },
    refresh: () => void ask(answer.tool, { ...args, provider }),
    balance: () => void ask('check_balance', { provider }),
  };
}

function draw(): void {
  const parts: Node[] = [];
  if (problem) parts.push(note(problem, 'danger', 'error'));
  if (current) {
    const actions = actionsFor(current);
    if (current.kind === 'balance') parts.push(...renderBalance(current.data, actions));
    else if (current.kind === 'summary') parts.push(...renderSummary(current.data, actions));
    else parts.push(...renderLedger(current.data, offset, actions));
  } else if (!problem) {
    parts.push(el('p', { class: 'empty' }, 'Waiting for a credit answer from the host.'));
  }
  root.replaceChildren(...parts);
  root.dataset.kind = current?.kind ?? 'none';
  root.dataset.renders = String(++renders);
  root.setAttribute('aria-busy', String(busy));
}

/** The host's CSS variables now set on the page: a later palette replaces them all. */
let hostVariables = new Set<string>();

/** Theme and palette from the host (its CSS variables win over ours), and the room it gives. */
function applyContext(context: HostContext): void {
  const html = document.documentElement;
  if (context.theme) {
    html.dataset.theme = context.theme;
  }
  if (context.styles) {
    const next = new Set<string>();
    for (const [name, value] of Object.entries(context.styles.variables ?? {})) {
      if (name.startsWith('--') && typeof value === 'string') {
        html.style.setProperty(name, value);
        next.add(name);
      }
    }
    for (const name of hostVariables) if (!next.has(name)) html.style.removeProperty(name);
    hostVariables = next;
  }
  const box = (context.containerDimensions ?? {}) as { height?: number; maxHeight?: number; width?: number; maxWidth?: number };
  html.style.height = box.height ? `${box.height}px` : '';
  html.style.maxHeight = box.maxHeight ? `${box.maxHeight}px` : '';
  html.style.width = box.width ? `${box.width}px` : '';
  html.style.maxWidth = box.maxWidth ? `${box.maxWidth}px` : '';
}

/** Reports the height the content needs (not the frame's), once per frame at most. */
function watchSize(): void {
  let queued = false;
  const measure = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      const html = document.documentElement;
      const fixed = html.style.height;
      html.style.height = 'max-content';
      const height = Math.ceil(html.getBoundingClientRect().height);
      html.style.height = fixed;
      host.reportSize(Math.ceil(window.innerWidth), height);
    });
  };
  const observer = new ResizeObserver(measure);
  observer.observe(document.documentElement);
  observer.observe(document.body);
  measure();
}

draw();
if (window.parent === window) {
  problem = 'This page is an MCP App: it shows credit-mcp answers inside a host that renders MCP Apps.';
  draw();
} else {
  host
    .connect()
    .then((context) => {
      applyContext(context);
      watchSize();
    })
    .catch((error: unknown) => {
      problem = `The host did not complete the MCP Apps handshake: ${error instanceof Error ? error.message : String(error)}`;
      draw();
    });
}
