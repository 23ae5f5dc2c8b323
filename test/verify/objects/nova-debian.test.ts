/**
 * Integration: `verify objects` over every real object of Debian's python3-nova (Nova 26, Zed),
 * installed by scripts/install-system-deps.sh (CI installs it; this test fails, never skips, when
 * it is missing). No git history: older versions come from the version comments. The runtime
 * bridge replays every backlevel of the code under test except the enum sweeps, and every object
 * the real registry loads is round-tripped through it at its own version.
 *
 * Every finding must be listed in docs/nova-object-findings.md (section 3, the table between the
 * `nova26-findings` markers: check, object, fields, class, reason), every listed row must still be
 * found, and the counts must be those of the `nova26-counts` table: a fixed false positive or a new
 * finding fails the test until the document says what it is.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildPopulatedObject } from '../../../src/objects/graph-builder.js';
import type { JsonObject } from '../../../src/objects/model.js';
import { objToPrimitive } from '../../../src/objects/versioned-object.js';
import type { Finding } from '../../../src/report/finding.js';
import { loadObjectsHistory, type ObjectsHistory } from '../../../src/verify/objects/history-source.js';
import { diffPrimitives } from '../../../src/verify/objects/round-trip.js';
import { type RunResult, verifyObjects } from '../../../src/verify/objects/runner.js';
import { findBridgePython, PythonBridge } from '../../../src/verify/objects/runtime-bridge.js';

const NOVA = '/usr/lib/python3/dist-packages';
const DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'nova-object-findings.md');

interface Row {
  check: string;
  objects: string[];
  fields: string[] | '*';
  cls: string;
  reason: string;
}

function tableBetween(text: string, marker: string): string[][] {
  const start = text.indexOf(`<!-- ${marker}:start -->`);
  const end = text.indexOf(`<!-- ${marker}:end -->`);
  if (start < 0 || end < 0) throw new Error(`${DOC}: no ${marker} table`);
  return text
    .slice(start, end)
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) =>
      l
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim().replace(/^`|`$/g, '')),
    );
}

function documentedRows(text: string): Row[] {
  return tableBetween(text, 'nova26-findings').map(([check, object, fields, cls, reason]) => ({
    check: check as string,
    objects: (object as string).split(',').map((o) => o.trim()),
    fields:
      fields === '*'
        ? '*'
        : (fields as string)
            .split(',')
            .map((f) => f.trim().replace(/^`|`$/g, ''))
            .filter(Boolean),
    cls: cls as string,
    reason: reason as string,
  }));
}

function documentedCounts(text: string): Map<string, number> {
  return new Map(
    tableBetween(text, 'nova26-counts').map(([k, v]) => [
      k as string,
      Number((v as string).replace(/,/g, '')),
    ]),
  );
}

/** The field a finding is about ('-' when none). */
function fieldOf(f: Finding): string {
  return String(f.data?.field ?? '-');
}

function matches(row: Row, f: Finding): boolean {
  if (row.check !== f.rule || !row.objects.includes(String(f.data?.object))) return false;
  return row.fields === '*' || row.fields.includes(fieldOf(f));
}

const python = findBridgePython();
const installed = existsSync(join(NOVA, 'nova', 'objects', '__init__.py'));

describe("Debian's Nova 26 (python3-nova): checks and runtime bridge over every real object", () => {
  let h: ObjectsHistory;
  let result: RunResult;
  const identity: Finding[] = [];
  let bridgeObjects: { name: string; version: string; namespace: string }[] = [];

  beforeAll(async () => {
    if (!installed || !python) return;
    h = await loadObjectsHistory({ repo: NOVA, noCache: true });
    result = await verifyObjects(h, {
      bridge: { python, paths: [], registerAll: ['nova.objects'] },
      bridgeFilter: (_pair, label) => !label.startsWith('enum-'),
    });
    // Every object the real registry loads, through the real code at its own version.
    const bridge = await PythonBridge.start({ python, registerAll: ['nova.objects'] });
    try {
      bridgeObjects = await bridge.objects();
      for (const o of bridgeObjects) {
        if (o.namespace !== 'nova') continue;
        const def = h.registry.get(o.name, o.version);
        if (!def) {
          identity.push({
            rule: 'runtime-bridge',
            severity: 'error',
            file: '',
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
            message: `${o.name} ${o.version}: registered by the real code, unknown to the extractor`,
            data: { object: o.name, version: o.version, field: null, kind: 'unknown-object' },
          });
          continue;
        }
        let ts: JsonObject;
        try {
          ts = objToPrimitive(buildPopulatedObject(h.registry, o.name, o.version, { seed: 5 }));
        } catch (e) {
          identity.push({
            rule: 'runtime-bridge',
            severity: 'error',
            file: '',
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
            message: `${o.name} ${o.version}: no graph: ${(e as Error).message}`,
            data: { object: o.name, version: o.version, field: null, kind: 'identity' },
          });
          continue;
        }
        const a = await bridge.backport(ts, o.version, null);
        const diffs = a.ok
          ? diffPrimitives(ts, (a.result as { primitive: JsonObject }).primitive, def, [], [], h.registry)
          : [{ field: '-', path: '', kind: 'changed' as const }];
        for (const d of diffs) {
          identity.push({
            rule: 'runtime-bridge',
            severity: 'error',
            file: '',
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
            message: `${o.name} ${o.version} identity round trip through the real code: ${a.ok ? `${d.kind} ${d.path}` : `${a.error.type}: ${a.error.message}`}`,
            data: { object: o.name, version: o.version, field: d.field, kind: 'identity' },
          });
        }
      }
    } finally {
      bridge.close();
    }
  }, 120_000);

  it('python3-nova and oslo.versionedobjects are installed (scripts/install-system-deps.sh)', () => {
    expect(installed, `${NOVA}/nova/objects is missing: run scripts/install-system-deps.sh`).toBe(true);
    expect(python, 'no Python that imports oslo_versionedobjects').toBeDefined();
  });

  it('covers every object: the counts of the documented run', () => {
    expect(result).toBeDefined();
    const counts = documentedCounts(readFileSync(DOC, 'utf8'));
    const actual = new Map<string, number>([
      ['objects', h.current.defs.size],
      ['versions', [...h.versions.values()].reduce((n, m) => n + m.size, 0)],
      ['senders', result.counters.senders],
      ['pairs', result.counters.pairs],
      ['backlevels', result.counters.backlevels],
      ['bridge replays', result.counters.bridgeReplayed ?? 0],
      ['bridge objects', bridgeObjects.filter((o) => o.namespace === 'nova').length],
    ]);
    for (const check of [
      'backlevel-accepted',
      'round-trip',
      'relationships',
      'version-bump',
      'make-compatible-coverage',
      'value-domain-and-crash',
      'runtime-bridge',
    ])
      actual.set(
        `findings: ${check}`,
        [...result.findings, ...identity].filter((f) => f.rule === check).length,
      );
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(counts));
    // Every registered object of the real code is known to the extractor and was round-tripped.
    for (const o of bridgeObjects)
      if (o.namespace === 'nova') expect(h.current.defs.has(o.name), o.name).toBe(true);
  });

  it('every finding is a documented defect or known difference, and every documented row is found', () => {
    expect(result).toBeDefined();
    const rows = documentedRows(readFileSync(DOC, 'utf8'));
    for (const r of rows)
      expect(['defect', 'extractor', 'reconstruction', 'model'], r.reason).toContain(r.cls);
    const all = [...result.findings, ...identity];
    const undocumented = [
      ...new Set(
        all
          .filter((f) => !rows.some((r) => matches(r, f)))
          .map((f) => `| ${f.rule} | ${f.data?.object} | ${fieldOf(f)} | ? | ${f.message.slice(0, 200)} |`),
      ),
    ];
    // BACKLEVEL_NOVA26_DUMP=file writes the undocumented rows there, to fill in the table.
    if (process.env.BACKLEVEL_NOVA26_DUMP)
      writeFileSync(process.env.BACKLEVEL_NOVA26_DUMP, undocumented.join('\n'));
    expect(undocumented).toEqual([]);
    const stale = rows
      .filter((r) => !all.some((f) => matches(r, f)))
      .map((r) => `${r.check} ${r.objects} ${r.fields}`);
    expect(stale).toEqual([]);
    expect(rows.length).toBeGreaterThan(0);
  });
});
