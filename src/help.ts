// `credit-mcp --help`, loaded only when asked for: the server's start-up never reads it.
// test/cli-commands.test.ts holds it to the flags in commands/command-line.ts.
/** The version comes from the entry, which has it already: importing it here would split it into a chunk of its own. */
export const helpText = (version: string) => `credit-mcp ${version} - read-only MCP server for credit balance, usage and ledger

Usage:
  credit-mcp [options]            start the MCP server on stdio (what an MCP host runs; protocol
                                  2026-07-28, and 2025-11-25 back to 2024-11-05)
  credit-mcp --demo               the same, against the built-in simulator (no keys needed)
  credit-mcp balance [options]    check_balance for a person: the balance now, and a decision
  credit-mcp summary [options]    get_credit_summary: what used credits over the last days
  credit-mcp ledger [options]     get_credit_ledger: ledger rows with exact totals
  credit-mcp doctor [options]     check the configuration and reach each configured upstream once
  credit-mcp http [http options]  serve the tools over Streamable HTTP at POST /mcp, for remote hosts
  credit-mcp sim [sim options]    run the upstream simulator alone, for trying things by hand

Options (the server, http, balance, summary, ledger and doctor; each also read from the environment
variable shown; a flag wins):
  --signal-foundry-key KEY        SIGNAL_FOUNDRY_API_KEY   turns Signal Foundry on
  --signal-foundry-base-url URL   SIGNAL_FOUNDRY_BASE_URL  default https://signal-foundry.app
  --synap-key KEY                 SYNAP_API_KEY            turns Maximem Synap on (synap_...)
  --synap-base-url URL            SYNAP_BASE_URL           default https://synap-cloud-prod.maximem.ai
  --timeout-ms N                  CREDIT_MCP_TIMEOUT_MS    per upstream request, 100..600000 (default 15000)
  --concurrency N                 CREDIT_MCP_CONCURRENCY   ledger pages fetched at once, 1..32 (default 8)
  --walk-budget-ms N              CREDIT_MCP_WALK_BUDGET_MS  time one call may spend walking a ledger,
                                                           rate-limit waits included, 1000..600000 (default 30000)
  --cache-entries N               CREDIT_MCP_CACHE_ENTRIES  ledger entries kept in memory per provider and
                                                           key (http --keys-from-request or a tenants
                                                           file: all keys together), re-checked by count on every use,
                                                           0..10000000 (default 200000; 0 turns it off)
  --synap-page-size N             CREDIT_MCP_SYNAP_PAGE_SIZE  Synap ledger entries asked per page, 1..10000
                                                           (default 1000; less once the upstream serves less)
  --default-provider NAME         CREDIT_MCP_DEFAULT_PROVIDER  signal-foundry | synap, when both are on
  --demo                          start the simulator in-process and point both providers at it
                                  (a command stops it when it is done)
Everywhere (sim too):
  --log-level LEVEL               CREDIT_MCP_LOG_LEVEL     debug | info | warn | error (default info; logs go to stderr)
  -h, --help                      print this help and exit
  -v, --version                   print the version and exit

Base URLs must be https, except loopback (127.0.0.0/8, localhost, [::1]). Prefer the
environment over flags for keys: flags are visible in the process list.

balance, summary and ledger call the same tool an agent calls and print its text, or with
--json its structured content. The tool checks the values, so its ranges and messages apply:
  --provider NAME                 signal-foundry | synap; needed when both are on and none is default
  --json                          print the structured content as JSON instead of the text
  balance --required N            required_credits: credits a planned write needs (> 0); adds
                                  sufficient or insufficient, and the shortfall
  summary --days N                days back, 1..365 (default 30)
          --recent N              recent_limit: recent events to list, 1..100 (default 10)
  ledger  --type T                entry_type, e.g. debit or credit (1..64 of letters, digits, _ . : -)
          --from TIME, --to TIME  ISO 8601 with a timezone, inclusive (--to defaults to now)
          --limit N               rows to return, 1..100 (default 20)
          --scan-limit N          scan_limit: entries walked for totals, 1..100000 (default 2000)
          --cursor C              the next rows: next_cursor from the previous answer (printed after
                                  its text, or in its --json)

http takes the options above (--demo too) and these, each also read from its variable:
  --host HOST                     CREDIT_MCP_HTTP_HOST     interface to bind (default 127.0.0.1); another
                                                           needs tokens or keys from the request, and
                                                           CREDIT_MCP_HTTP_ALLOWED_HOSTS
  --port N                        CREDIT_MCP_HTTP_PORT     default 8080; 0 picks a free port
  --keys-from-request             CREDIT_MCP_KEYS_FROM_REQUEST=true  each request brings its upstream keys
                                  in X-Signal-Foundry-Api-Key / X-Synap-Api-Key; the server holds none
  --metrics-port N                CREDIT_MCP_METRICS_PORT  serve GET /metrics alone on this port, without
                                  the token (0 picks a free one); unset: on the MCP port, behind the token
  --redis-url URL                 CREDIT_MCP_REDIS_URL     a fleet's shared store, redis:// or rediss:// (TLS),
                                  user and password allowed: instances with the same URL share held ledger
                                  ranges, the learned page size, walks and each key's rate limit and its
                                  CREDIT_MCP_CONCURRENCY requests in flight; unset: this instance alone
  Environment only:               CREDIT_MCP_HTTP_TOKENS   comma-separated bearer tokens clients must send
                                  CREDIT_MCP_HTTP_ALLOWED_HOSTS  host names clients use (Host, Origin)
                                  CREDIT_MCP_HTTP_GRACE_MS  SIGTERM waits this long for calls (default 10000)
  Sign-in with OAuth (environment only; README.md, Sign in with OAuth):
                                  CREDIT_MCP_OAUTH_ISSUER  the authorization server's issuer (https, or
                                                           http on loopback); its metadata gives the keys
                                  CREDIT_MCP_PUBLIC_URL    this server's URL (https://mcp.example.com/mcp):
                                                           the resource, and the audience tokens must name
                                  CREDIT_MCP_OAUTH_SCOPES  scopes every token must carry (default credits:read)
                                  CREDIT_MCP_TENANTS_FILE  JSON: the claim that picks a tenant, and each
                                                           tenant's keys; re-read on SIGHUP
It writes "listening on http://HOST:PORT/mcp" to stderr once listening, and one access-log line
per request. POST /mcp answers JSON in the 2026-07-28 era (events when a call asks for progress)
and server-sent events to every request in the 2025 revisions; README.md, "Talk to it with
curl", shows a session in each. GET /healthz answers 200 without auth (to an allowed Host, as
every path); with sign-in, so does GET /.well-known/oauth-protected-resource/mcp (RFC 9728).
GET /metrics: Prometheus text format (upstream requests, cache lookups, rate-limit waits, store
errors, mcp_server_operation_duration_seconds by method and tool); see README.md, Metrics.

doctor checks each setting above (a key is shown only as its first 4 characters and its
length), then reads each configured provider's balance once; with CREDIT_MCP_OAUTH_ISSUER,
the issuer's metadata and keys, and the tenants file. One line per check: ok, off,
warn or FAIL, with what to fix.

Sim options:
  --port N            port on 127.0.0.1 (default 8787; 0 picks a free one)
  --latency-ms N      delay added to every answer (default 0)
  --rate-limit N      requests per minute per key before 429s (default: unlimited)
  --ledger-size N     seeded Synap ledger entries (default 2500)
  --history-days N    days of history the Synap ledger spans (default 180)
  --max-page-size N   most Synap ledger entries one page serves (default 100)
  --oversized-limit M what a larger limit gets: refuse (a 422, the default), cap (max entries,
                      limit echoed as the max) or cap-unechoed (max entries, limit echoed as asked)
  --seed N            data seed (default 42)

Tools: check_balance, get_credit_summary, get_credit_ledger (see README.md).

Exit codes:
  0  ok (an insufficient balance is an answer: 0 too)
  1  an upstream call failed (doctor: an upstream check failed); the message says what to do
  2  bad command line, configuration or tool argument; nothing was sent upstream
  3  not configured: no key for the provider asked for, or none at all`;
