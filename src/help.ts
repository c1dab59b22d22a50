// `credit-mcp --help`, loaded only when asked for: the server's start-up never reads it.
// test/cli-commands.test.ts holds it to the flags in commands/command-line.ts.
/** The version comes from the entry, which has it already: importing it here would split it into a chunk of its own. */
export const helpText = (version: string) => `credit-mcp ${version} - read-only MCP server for credit balance, usage and ledger

Usage:
  credit-mcp [options]            start the MCP server on stdio (what an MCP host runs)
  credit-mcp --demo               the same, against the built-in simulator (no keys needed)
  credit-mcp sim [sim options]    run the upstream simulator alone, for trying things by hand

Options (each also read from the environment variable shown; a flag wins):
  --signal-foundry-key KEY        SIGNAL_FOUNDRY_API_KEY   turns Signal Foundry on
  --signal-foundry-base-url URL   SIGNAL_FOUNDRY_BASE_URL  default https://signal-foundry.app
  --synap-key KEY                 SYNAP_API_KEY            turns Maximem Synap on (synap_...)
  --synap-base-url URL            SYNAP_BASE_URL           default https://synap-cloud-prod.maximem.ai
  --timeout-ms N                  CREDIT_MCP_TIMEOUT_MS    per upstream request, 100..600000 (default 15000)
  --concurrency N                 CREDIT_MCP_CONCURRENCY   ledger pages fetched at once, 1..32 (default 8)
  --walk-budget-ms N              CREDIT_MCP_WALK_BUDGET_MS  time one call may spend walking a ledger,
                                                           rate-limit waits included, 1000..600000 (default 30000)
  --default-provider NAME         CREDIT_MCP_DEFAULT_PROVIDER  signal-foundry | synap, when both are on
  --log-level LEVEL               CREDIT_MCP_LOG_LEVEL     debug | info | warn | error (default info; logs go to stderr)
  --demo                          start the simulator in-process and point both providers at it
  -h, --help                      print this help and exit
  -v, --version                   print the version and exit

Base URLs must be https, except loopback (127.0.0.0/8, localhost, [::1]). Prefer the
environment over flags for keys: flags are visible in the process list.

Sim options:
  --port N            port on 127.0.0.1 (default 8787; 0 picks a free one)
  --latency-ms N      delay added to every answer (default 0)
  --rate-limit N      requests per minute per key before 429s (default: unlimited)
  --ledger-size N     seeded Synap ledger entries (default 2500)
  --seed N            data seed (default 42)

Tools: check_balance, get_credit_summary, get_credit_ledger (see README.md).
Exit codes: 0 ok, 2 bad command line or configuration.`;
