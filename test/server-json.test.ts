// server.json, the MCP Registry entry, against the registry's published JSON Schema. CI reaches
// only the npm registry, so the schema is vendored: test/fixtures/server.schema.json is
// https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json (the current
// release), taken from modelcontextprotocol/static (schemas/2025-12-11/server.schema.json at
// a9ba437d9fbbe92076a24b20d56449ac7c7786ac), byte for byte; its sha256 is pinned below.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const SCHEMA_SHA256 = '3fba09590c99f61735d234822279f4223fab9e300c0a81e81c91ab62a4114de0';

const schemaText = read('test/fixtures/server.schema.json');
const schema = JSON.parse(schemaText) as { $id: string };
const server = JSON.parse(read('server.json')) as {
  $schema: string;
  name: string;
  version: string;
  description: string;
  packages: Array<{ registryType: string; identifier: string; version: string; transport: { type: string }; environmentVariables: Array<{ name: string; isSecret?: boolean }> }>;
  remotes: Array<{ type: string; url: string }>;
};
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; mcpName: string };
const manifest = JSON.parse(read('manifest.json')) as { version: string; description: string };

// ajv-formats is CommonJS: under ESM its function is the module's `default`, or the module itself.
type AddFormats = (ajv: Ajv) => Ajv;
const formats = addFormatsModule as unknown as AddFormats & { default?: AddFormats };
const addFormats: AddFormats = formats.default ?? formats;
function validator() {
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  // The schema is generated from the registry's OpenAPI document, which annotates with these.
  ajv.addKeyword('example');
  ajv.addKeyword('discriminator');
  return ajv.compile(schema);
}

describe('server.json (MCP Registry)', () => {
  it('names the vendored schema, which is the published file unchanged', () => {
    expect(createHash('sha256').update(schemaText).digest('hex')).toBe(SCHEMA_SHA256);
    expect(server.$schema).toBe(schema.$id);
    expect(schema.$id).toBe('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json');
  });

  it('is valid against the registry schema', () => {
    const validate = validator();
    expect(validate(server), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('the validator does refuse what the registry refuses', () => {
    const validate = validator();
    expect(validate({ ...server, name: 'credit-mcp' })).toBe(false); // no namespace
    expect(validate({ ...server, description: 'x'.repeat(101) })).toBe(false);
    expect(validate({ ...server, packages: [{ ...server.packages[0], version: 'latest' }] })).toBe(false);
  });

  it('agrees with package.json and manifest.json', () => {
    expect(server.name).toBe(pkg.mcpName);
    expect(server.version).toBe(pkg.version);
    expect(manifest.version).toBe(pkg.version);
    const [npm] = server.packages;
    expect(server.packages).toHaveLength(1);
    expect(npm).toMatchObject({ registryType: 'npm', identifier: pkg.name, version: pkg.version, transport: { type: 'stdio' } });
  });

  it('lists environment variables the server reads, the keys as secrets', () => {
    const config = read('src/config.ts');
    const vars = server.packages[0]!.environmentVariables;
    for (const v of vars) expect(config, v.name).toContain(`'${v.name}'`);
    expect(vars.filter((v) => v.isSecret).map((v) => v.name).sort()).toEqual(['SIGNAL_FOUNDRY_API_KEY', 'SYNAP_API_KEY']);
  });

  it('offers the remote option at the path credit-mcp http serves', () => {
    expect(server.remotes).toHaveLength(1);
    expect(server.remotes[0]).toMatchObject({ type: 'streamable-http' });
    expect(new URL(server.remotes[0]!.url.replace('{host}', 'mcp.example.com')).pathname).toBe('/mcp');
  });
});
