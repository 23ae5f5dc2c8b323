import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/config-file.js';
import { OUTPUT_FORMATS } from '../../src/report/index.js';

const bin = new URL('../../bin/backlevel.js', import.meta.url).pathname;
let dir: string;

function cli(args: string[], cwd = process.cwd()) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backlevel-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI shell', () => {
  it('prints help with every subcommand and the exit codes', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['lint', 'migrate', 'verify', 'gate', 'backport', 'index'])
      expect(r.stdout).toContain(`  ${c}`);
    expect(r.stdout).toContain(
      'Exit codes: 0 clean, 1 findings, 2 usage/config/input error, 3 internal error.',
    );
  });

  it('prints the package version', () => {
    const pkg = JSON.parse(
      execFileSync('cat', [new URL('../../package.json', import.meta.url).pathname], { encoding: 'utf8' }),
    );
    expect(cli(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 on an unknown command', () => {
    const r = cli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });
});

describe('config file', () => {
  it('loads YAML and JSON, and defaults when absent', () => {
    expect(loadConfig(dir)).toEqual({ config: {} });
    const yamlDir = mkdtempSync(join(tmpdir(), 'backlevel-cfg-'));
    writeFileSync(
      join(yamlDir, 'backlevel.config.yaml'),
      'projectPackages: [nova]\nexclude:\n  - nova/tests/**\n',
    );
    expect(loadConfig(yamlDir).config).toEqual({ projectPackages: ['nova'], exclude: ['nova/tests/**'] });
    rmSync(yamlDir, { recursive: true, force: true });
  });

  it('names the offending key of an invalid config', () => {
    expect(() =>
      parseConfig('{"projectPackages": ["nova"], "colour": true}', 'backlevel.config.json'),
    ).toThrow("backlevel.config.json: invalid config at 'colour': unknown key");
    expect(() => parseConfig('jobs: -1\n', 'backlevel.config.yaml')).toThrow(
      "backlevel.config.yaml: invalid config at 'jobs': must be >= 1",
    );
    expect(() => parseConfig('lint: {nope: 1}\n', 'c.yaml')).toThrow(
      /invalid config at 'lint.nope': unknown key/,
    );
    expect(() => parseConfig('a: [\n', 'c.yaml')).toThrow(ConfigError);
    // Every format the lint command prints is a valid configured default.
    for (const format of OUTPUT_FORMATS)
      expect(() => parseConfig(`lint: {format: ${format}}\n`, 'c.yaml')).not.toThrow();
    expect(() => parseConfig('lint: {format: xml}\n', 'c.yaml')).toThrow(/lint.format/);
  });
});

describe('command loading', () => {
  it('loads only the requested command, skipping global options and their values', async () => {
    const { requestedCommand, commandsFor } = await import('../../src/cli/commands/registry.js');
    expect(requestedCommand(['-j', '2', '--config', 'x.yaml', 'lint', 'nova'])).toBe('lint');
    expect(requestedCommand(['--quiet', 'verify', 'pins'])).toBe('verify');
    expect(requestedCommand(['--help'])).toBeUndefined();
    expect(requestedCommand(['nope'])).toBeUndefined();
    expect(await commandsFor(['gate'])).toHaveLength(1);
    expect(await commandsFor(['--help'])).toHaveLength(6);
    expect(await commandsFor(['--version'])).toHaveLength(0);
  });

  it('still runs a command given after global options', () => {
    const r = cli(['-q', '-j', '1', 'migrate', '--list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('conductor-to-objects');
  });
});
