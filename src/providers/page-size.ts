// The page size an upstream actually serves, learned from its answers: it starts at what we
// would like and only ever goes down, and a size the upstream refused is never asked again.
import { UpstreamError } from '../errors.js';

/** The documented default: the size to fall back on when a refusal names no maximum. */
const DOCUMENTED_DEFAULT = 100;

export class LearnedPageSize {
  private size: number;

  constructor(wanted: number) {
    this.size = wanted;
  }

  get current(): number {
    return this.size;
  }

  /**
   * The size to ask next after `error` answered a page of `asked` rows, or undefined when the
   * error is not a refusal of `limit` (or nothing smaller is left to try).
   */
  afterRefusal(asked: number, error: unknown): number | undefined {
    if (!(error instanceof UpstreamError)) return undefined;
    const { status, message } = error.details;
    if ((status !== 400 && status !== 422) || !/\blimit\b/i.test(message)) return undefined;
    // FastAPI says "limit: Input should be less than or equal to 100": take the number it names.
    const named = [...message.matchAll(/\d+/g)].map(Number).filter((n) => n >= 1 && n < asked);
    const next = named.length ? Math.max(...named) : asked > DOCUMENTED_DEFAULT ? DOCUMENTED_DEFAULT : Math.floor(asked / 2);
    if (next < 1) return undefined;
    this.size = Math.min(this.size, next);
    return this.size;
  }

  /** A page came back: a smaller `limit` echo, or fewer rows than asked while more exist, is the upstream's size. */
  served(asked: number, echo: number | null, rows: number, moreExist: boolean): void {
    if (echo !== null && Number.isInteger(echo) && echo >= 1 && echo < asked) this.size = Math.min(this.size, echo);
    if (rows >= 1 && rows < asked && moreExist) this.size = Math.min(this.size, rows);
  }
}
