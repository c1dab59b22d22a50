// The page size an upstream actually serves, learned from its answers. It starts at what we
// would like and only goes down, and only on evidence that holds up: a smaller `limit` echo at
// once; a refusal of `limit`, or a short page, only once a second answer agrees. One odd answer
// (a refusal about something else, an upstream counting rows it no longer returns) never
// shrinks it for good.
import { UpstreamError } from '../core/errors.js';

/** The documented default: the size to try when a refusal names no maximum. */
const DOCUMENTED_DEFAULT = 100;

/** A page that came back from the upstream, as the size learner reads it. */
export interface ServedPage {
  /** The `limit` asked for. */
  asked: number;
  offset: number;
  /** The upstream's `limit` echo, when it gave a usable one. */
  echo: number | null;
  ids: readonly string[];
  total: number;
  /** Which window the page belongs to: a short page is judged by the page after it in the same window. */
  window: string;
}

export class LearnedPageSize {
  private size: number;
  /** A smaller size a refusal of `limit` suggested: asked until a page at it is served (kept) or refused again (dropped). */
  private trial: number | undefined;
  /**
   * The length of short pages of one window (fewer rows than asked while `total` says more
   * exist), and where the pages after them start: each of those is asked at that length, and
   * decides whether it is the upstream's size.
   */
  private short: { size: number; window: string; next: Set<number>; ids: Set<string> } | undefined;

  /** Told each time the size kept goes down (a fleet store shares it). */
  onSettle: ((size: number) => void) | undefined;

  constructor(wanted: number) {
    this.size = wanted;
  }

  /** A size another instance of the fleet kept, from the same evidence: taken when smaller. */
  adopt(size: number): void {
    if (size >= 1 && size < this.size) this.settle(size, false);
  }

  get current(): number {
    return Math.min(this.size, this.trial ?? Number.POSITIVE_INFINITY);
  }

  /** The size to ask a page of `window` at `offset` at: the page after a short one tries its length. */
  at(window: string, offset: number): number {
    const short = this.short;
    return short && short.window === window && short.next.has(offset) ? Math.min(short.size, this.current) : this.current;
  }

  /**
   * After `error` answered a page of `asked` rows: the smaller size to ask the same page at, or
   * undefined when the error is no refusal of `limit` worth another request. `first` is the
   * refusal that started this page's retries, if any: a refusal that only mentions `limit` in
   * its text earns one retry; one that names it (FastAPI's `loc`, the envelope's `details`) may
   * go on while it names ever smaller sizes. A refusal repeated word for word ends it.
   */
  afterRefusal(asked: number, error: unknown, first?: unknown): number | undefined {
    const refusal = limitRefusal(error);
    if (!refusal) return undefined;
    if (first !== undefined && (!refusal.named || sameRefusal(error, first))) return undefined;
    const named = [...refusal.text.matchAll(/\d+/g)].map(Number).filter((n) => n >= 1 && n < asked);
    const next = named.length ? Math.max(...named) : asked > DOCUMENTED_DEFAULT ? DOCUMENTED_DEFAULT : Math.floor(asked / 2);
    if (next < 1) return undefined;
    this.trial = Math.min(this.trial ?? Number.POSITIVE_INFINITY, next);
    return this.current;
  }

  /** A size under trial was refused (or failed) too: it goes, and the size before it is asked again. */
  rejected(asked: number): void {
    if (this.trial === asked) this.trial = undefined;
  }

  /**
   * A page came back. A size under trial that it was asked at is kept. A smaller `limit` echo is
   * the upstream's size. A page shorter than asked while `total` says more rows exist is only a
   * hint: the upstream may cap pages silently, or count rows it no longer returns. Its length
   * is kept when the page after it, asked at that length, comes back full, with new rows and
   * more still to come; an empty page there, or one of rows already seen, forgets it.
   */
  served(page: ServedPage): void {
    const { asked, offset, echo, ids, total, window } = page;
    if (this.trial !== undefined && asked === this.trial) this.settle(asked);
    if (echo !== null && echo >= 1 && echo < asked) return this.settle(echo);
    const rows = ids.length;
    const moreExist = offset + rows < total;
    const short = this.short;
    if (short && short.window === window && short.next.has(offset) && asked === short.size) {
      this.short = undefined;
      if (rows === asked && moreExist && ids.some((id) => !short.ids.has(id))) this.settle(asked);
      return;
    }
    if (rows < 1 || rows >= asked || !moreExist || rows >= this.current) return;
    // Pages of one window in flight together come back short alike: each names a page to try.
    if (!short || short.window !== window || short.size !== rows) this.short = { size: rows, window, next: new Set(), ids: new Set() };
    this.short!.next.add(offset + rows);
    for (const id of ids) this.short!.ids.add(id);
  }

  private settle(size: number, share = true): void {
    if (share && size < this.size) this.onSettle?.(size);
    this.size = Math.min(this.size, size);
    if (this.trial !== undefined && this.trial >= this.size) this.trial = undefined;
    if (this.short !== undefined && this.short.size >= this.size) this.short = undefined;
  }
}

/** What a 400/422 says about `limit`: whether it names it, and its words about it; undefined when it is about something else. */
function limitRefusal(error: unknown): { named: boolean; text: string } | undefined {
  if (!(error instanceof UpstreamError)) return undefined;
  const { status, message, arguments: named } = error.details;
  if (status !== 400 && status !== 422) return undefined;
  if (named?.limit !== undefined) return { named: true, text: named.limit };
  // An answer that names the arguments it refuses, not `limit` among them, is about them.
  if (named !== undefined) return undefined;
  return /\blimit\b/i.test(message) ? { named: false, text: message } : undefined;
}

/** Two upstream answers that say the same thing (status, code and words). */
export function sameRefusal(a: unknown, b: unknown): boolean {
  if (!(a instanceof UpstreamError) || !(b instanceof UpstreamError)) return false;
  return a.details.status === b.details.status && a.details.code === b.details.code && a.details.message === b.details.message;
}
