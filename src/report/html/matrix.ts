/**
 * The object compatibility matrix: rows are versioned objects, columns the supported releases
 * (from the history walk; point releases of one series fold into the series' column), each cell
 * the version(s) that release shipped and whether backleveling the current object to it passes
 * every check, i.e. whether `verify objects` reported nothing for that (object, target version).
 * A cell drills down (`<details>`) to its findings: check, field, versions, the revision where the
 * defect was introduced, and a before/after primitive diff. A timeline per object shows its
 * versions across the releases and the child versions each parent version was released with.
 *
 * Input is structural so the matrix builds from `verify objects`' `ObjectsHistory` as well as from
 * the bare history walk (`HistoricalManifest` + release manifests) with any findings list in the
 * verifier's shape (`data.check/object/version/targetVersion/field/revision`).
 */
import type { HistoricalManifest } from '../../history/history-walk.js';
import type { FieldTypeDesc } from '../../objects/model.js';
import { compareVersions, majorOf } from '../../objects/versions.js';
import type { Finding } from '../finding.js';
import { lineDiffHtml, stableJson } from './code.js';
import { esc, plural } from './escape.js';
import { SEVERITY_STATUS } from './findings.js';
import { badge, icon, type StatusKind } from './icons.js';

// ---------------------------------------------------------------------------------------------
// Input

export interface MatrixRelease {
  label: string;
  /** `{objname: VERSION}` registered at this release. */
  manifest: Record<string, string>;
}

export interface MatrixVersionEntry {
  version: string;
  firstSeen?: string | undefined;
  lastSeen?: string | undefined;
  source?: string;
  def?: { fields: Record<string, { type: FieldTypeDesc }> };
}

/** What the matrix reads; `verify objects`' ObjectsHistory satisfies it. */
export interface MatrixHistory {
  current: MatrixRelease;
  /** Walked releases, oldest first. */
  releases: readonly MatrixRelease[];
  /** The releases that must still be talked to (default: all walked releases). */
  supported?: readonly MatrixRelease[];
  versions?: Map<string, Map<string, MatrixVersionEntry>>;
  manifest?: HistoricalManifest | undefined;
  notes?: readonly string[];
}

/** Before/after primitives of one backlevel, for the drill-down. */
export interface PrimitivePair {
  before?: unknown;
  after?: unknown;
  /** Why no primitive could be produced (the backlevel raised, or the version is unknown). */
  error?: string;
}

export type PrimitiveProvider = (
  object: string,
  version: string,
  targetVersion: string,
  receiver: string | undefined,
) => PrimitivePair | undefined;

export interface MatrixOptions {
  /** False when no verifier ran: cells show versions only ("not checked"). Default true. */
  checked?: boolean;
  primitives?: PrimitiveProvider;
  /** Most primitive diffs computed (they cost a backlevel each). Default 300. */
  maxPrimitiveDiffs?: number;
}

// ---------------------------------------------------------------------------------------------
// Model

export type CellState = 'pass' | 'fail' | 'warn' | 'same' | 'absent' | 'unchecked' | 'other-major';

export interface MatrixColumn {
  /** Series label (`2014.1`, `13`) or a release label when the series has one release. */
  label: string;
  /** Release name (`icehouse`, `2023.1 antelope`), when known. */
  codename?: string;
  releases: string[];
}

export interface CellFinding {
  finding: Finding;
  /** The release where the defect first shipped (field added without compat, schema change...). */
  introducedIn?: string;
  primitives?: PrimitivePair;
}

export interface MatrixCell {
  column: string;
  /** Versions shipped by the column's releases, oldest first (empty: the object did not exist). */
  versions: string[];
  /** Which release shipped which version (only when the releases of a series differ). */
  byRelease: { release: string; version: string }[];
  state: CellState;
  findings: CellFinding[];
}

export interface TimelineEntry {
  version: string;
  releases: string[];
  /** field -> child object -> child versions seen alongside this version. */
  children: { field: string; child: string; versions: string[] }[];
}

export interface MatrixRow {
  object: string;
  currentVersion: string | undefined;
  cells: MatrixCell[];
  /** Findings about the current version itself, or no supported release's version. */
  current: CellFinding[];
  timeline: TimelineEntry[];
}

export interface CompatibilityMatrix {
  currentLabel: string;
  columns: MatrixColumn[];
  rows: MatrixRow[];
  checked: boolean;
  notes: string[];
  counts: Record<CellState, number>;
}

const CODENAMES: Record<string, string> = {
  '2014.1': 'icehouse',
  '2014.2': 'juno',
  '2015.1': 'kilo',
  '12': 'liberty',
  '13': 'mitaka',
  '14': 'newton',
  '15': 'ocata',
  '16': 'pike',
  '17': 'queens',
  '18': 'rocky',
  '19': 'stein',
  '20': 'train',
  '21': 'ussuri',
  '22': 'victoria',
  '23': 'wallaby',
  '24': 'xena',
  '25': 'yoga',
  '26': 'zed',
  '27': '2023.1 antelope',
  '28': '2023.2 bobcat',
  '29': '2024.1 caracal',
  '30': '2024.2 dalmatian',
  '31': '2025.1 epoxy',
  '32': '2025.2 flamingo',
  '33': '2026.1 gazpacho',
};

/** `2014.1.3` -> `2014.1`, `13.1.4` -> `13`; other labels are their own series. */
export function releaseSeries(label: string): string {
  const dated = /^(20\d\d\.\d+)(?:\.\d+)*$/.exec(label);
  if (dated) return dated[1]!;
  const semantic = /^(\d+)\.\d+\.\d+$/.exec(label);
  if (semantic && Number(semantic[1]) >= 12) return semantic[1]!;
  return label;
}

function childObject(type: FieldTypeDesc | undefined): string | undefined {
  if (!type) return undefined;
  if (type.kind === 'Object' || type.kind === 'ListOfObjects') return type.objName;
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function buildMatrix(
  h: MatrixHistory,
  findings: readonly Finding[],
  opts: MatrixOptions = {},
): CompatibilityMatrix {
  const checked = opts.checked ?? true;
  const maxDiffs = opts.maxPrimitiveDiffs ?? 300;
  let diffs = 0;
  const supported = h.supported?.length ? h.supported : h.releases;
  // Columns: one per series, in release order.
  const columns: MatrixColumn[] = [];
  const colOf = new Map<string, MatrixColumn>();
  for (const r of supported) {
    const s = releaseSeries(r.label);
    let c = colOf.get(s);
    if (!c) {
      c = { label: s, releases: [], ...(CODENAMES[s] ? { codename: CODENAMES[s] } : {}) };
      colOf.set(s, c);
      columns.push(c);
    }
    c.releases.push(r.label);
  }
  const byLabel = new Map(h.releases.map((r) => [r.label, r]));
  for (const r of supported) byLabel.set(r.label, r);
  const order = [...h.releases.map((r) => r.label), h.current.label];
  const versionDef = (name: string, version: string) =>
    h.versions?.get(name)?.get(version)?.def ?? h.manifest?.objects[name]?.[version]?.def;

  // Findings by object.
  const byObject = new Map<string, Finding[]>();
  for (const f of findings) {
    const o = str(f.data?.object);
    if (!o) continue;
    const list = byObject.get(o) ?? [];
    list.push(f);
    byObject.set(o, list);
  }

  /** The first release whose shipped version of `name` is newer than `target` and has `field`. */
  const introducedIn = (f: Finding, name: string): string | undefined => {
    const target = str(f.data?.targetVersion);
    const field = str(f.data?.field);
    const version = str(f.data?.version);
    if (field && target) {
      for (const label of order) {
        const rel = label === h.current.label ? h.current : byLabel.get(label);
        const v = rel?.manifest[name];
        if (!v || majorOf(v) !== majorOf(target) || compareVersions(v, target) <= 0) continue;
        const def = versionDef(name, v);
        if (def && field in def.fields) return label;
      }
    }
    const changed = version ? h.manifest?.objects[name]?.[version]?.schemaChanges?.[0]?.revision : undefined;
    if (changed) return changed;
    if (version) {
      const seen =
        h.versions?.get(name)?.get(version)?.firstSeen ?? h.manifest?.objects[name]?.[version]?.firstSeen;
      if (seen) return seen;
    }
    return str(f.data?.revision);
  };

  const cellFinding = (f: Finding, name: string, receiver: string | undefined): CellFinding => {
    const cf: CellFinding = { finding: f };
    const intro = introducedIn(f, name);
    if (intro) cf.introducedIn = intro;
    const version = str(f.data?.version);
    const target = str(f.data?.targetVersion);
    const before = f.data?.before;
    const after = f.data?.after;
    if (before !== undefined || after !== undefined) cf.primitives = { before, after };
    else if (opts.primitives && version && target && diffs < maxDiffs) {
      diffs++;
      const p = opts.primitives(name, version, target, receiver);
      if (p) cf.primitives = p;
    }
    return cf;
  };

  const names = new Set([...Object.keys(h.current.manifest), ...byObject.keys()]);
  const rows: MatrixRow[] = [];
  const counts: Record<CellState, number> = {
    pass: 0,
    fail: 0,
    warn: 0,
    same: 0,
    absent: 0,
    unchecked: 0,
    'other-major': 0,
  };
  for (const name of [...names].sort((a, b) => a.localeCompare(b))) {
    const currentVersion = h.current.manifest[name];
    const objFindings = byObject.get(name) ?? [];
    const used = new Set<Finding>();
    const cells: MatrixCell[] = [];
    for (const col of columns) {
      const byRelease: { release: string; version: string }[] = [];
      for (const label of col.releases) {
        const v = byLabel.get(label)?.manifest[name];
        if (v) byRelease.push({ release: label, version: v });
      }
      const versions = [...new Set(byRelease.map((b) => b.version))].sort(compareVersions);
      const cfs: CellFinding[] = [];
      for (const v of versions) {
        const receiver = byRelease.find((b) => b.version === v)?.release;
        for (const f of objFindings) {
          const target = str(f.data?.targetVersion);
          const version = str(f.data?.version);
          if (target === v || (!target && version === v && v !== currentVersion)) {
            used.add(f);
            cfs.push(cellFinding(f, name, receiver));
          }
        }
      }
      let state: CellState;
      if (versions.length === 0) state = 'absent';
      else if (cfs.some((c) => c.finding.severity === 'error')) state = 'fail';
      else if (cfs.length) state = 'warn';
      else if (currentVersion && versions.every((v) => v === currentVersion)) state = 'same';
      else if (currentVersion && versions.every((v) => majorOf(v) !== majorOf(currentVersion)))
        state = 'other-major';
      else state = checked ? 'pass' : 'unchecked';
      counts[state]++;
      cells.push({
        column: col.label,
        versions,
        byRelease: versions.length > 1 ? byRelease : [],
        state,
        findings: cfs,
      });
    }
    const current = objFindings.filter((f) => !used.has(f)).map((f) => cellFinding(f, name, undefined));
    rows.push({ object: name, currentVersion, cells, current, timeline: timelineOf(h, name) });
  }
  return {
    currentLabel: h.current.label,
    columns,
    rows,
    checked,
    notes: [...(h.notes ?? [])],
    counts,
  };
}

function timelineOf(h: MatrixHistory, name: string): TimelineEntry[] {
  const out = new Map<string, TimelineEntry>();
  const at = (v: string) => {
    let e = out.get(v);
    if (!e) {
      e = { version: v, releases: [], children: [] };
      out.set(v, e);
    }
    return e;
  };
  for (const r of [...h.releases, h.current]) {
    const v = r.manifest[name];
    if (v) at(v).releases.push(r.label);
  }
  const hist = h.manifest?.objects[name] ?? {};
  for (const [v, vh] of Object.entries(hist)) {
    const e = at(v);
    for (const [field, versions] of Object.entries(vh.childVersionsSeen ?? {})) {
      const child = childObject(vh.def.fields[field]?.type) ?? field;
      e.children.push({ field, child, versions: [...versions].sort(compareVersions) });
    }
  }
  return [...out.values()].sort((a, b) => compareVersions(a.version, b.version));
}

// ---------------------------------------------------------------------------------------------
// Rendering

const STATE_VIEW: Record<CellState, { kind: StatusKind; word: string }> = {
  pass: { kind: 'pass', word: 'passes' },
  fail: { kind: 'fail', word: 'fails' },
  warn: { kind: 'warn', word: 'warnings' },
  same: { kind: 'same', word: 'current version' },
  absent: { kind: 'none', word: 'not in release' },
  unchecked: { kind: 'info', word: 'not checked' },
  'other-major': { kind: 'none', word: 'other major' },
};

function factsOf(cf: CellFinding): string {
  const d = cf.finding.data ?? {};
  const rows: [string, unknown][] = [
    ['check', d.check ?? cf.finding.rule],
    ['versions', d.version && d.targetVersion ? `${d.version} → ${d.targetVersion}` : d.version],
    ['field', d.field],
    ['reported at', d.revision],
    ['introduced in', cf.introducedIn],
    ['receiver', d.receiverRelease],
    ['path', d.path],
    ['variant', d.variant],
  ];
  return `<dl class="facts">${rows
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(String(v))}</dd>`)
    .join('')}</dl>`;
}

function primitivesHtml(p: PrimitivePair, label: string): string {
  if (p.error && p.before === undefined) return `<p class="note">No primitive: ${esc(p.error)}</p>`;
  const before = p.before === undefined ? '' : stableJson(p.before);
  const after = p.after === undefined ? (p.error ? `(raises) ${p.error}` : '') : stableJson(p.after);
  return `<details class="primitive-diff"><summary>Primitive before → after backlevel</summary>${lineDiffHtml(before, after, `primitive diff ${label}`)}</details>`;
}

/** A finding already shown in an earlier cell (the same version shipped by several series): a link. */
function repeatedFindingHtml(cf: CellFinding, first: string): string {
  const f = cf.finding;
  return `<p class="finding-ref">${badge(SEVERITY_STATUS[f.severity], f.severity)} <a href="#${esc(first)}">${esc(f.message.length > 160 ? `${f.message.slice(0, 160)}…` : f.message)}</a></p>`;
}

function cellFindingHtml(cf: CellFinding, id: string | undefined): string {
  const f = cf.finding;
  const d = f.data ?? {};
  const label = `${d.object ?? ''} ${d.version ?? ''}${d.targetVersion ? ` → ${d.targetVersion}` : ''}`;
  return `<article class="finding"${id ? ` id="${esc(id)}"` : ''} aria-label="${esc(`${f.severity}: ${label}`)}"><div class="finding-head">${badge(SEVERITY_STATUS[f.severity], f.severity)}<span class="rule">[${esc(f.rule)}]</span></div><p class="msg">${esc(f.message)}</p>${factsOf(cf)}${f.file ? `<p class="note">${esc(`${f.file}:${f.line}`)}</p>` : ''}${cf.primitives ? primitivesHtml(cf.primitives, label) : ''}</article>`;
}

function cellHtml(
  cell: MatrixCell,
  row: MatrixRow,
  col: MatrixColumn,
  show: (cf: CellFinding) => string,
): string {
  const view = STATE_VIEW[cell.state];
  const ver = cell.versions.length ? `<span class="ver">${esc(cell.versions.join(', '))}</span>` : '';
  const head = `${ver}${badge(view.kind, cell.state === 'fail' || cell.state === 'warn' ? `${view.word} (${cell.findings.length})` : view.word)}`;
  const title = `${row.object} at ${col.label}${col.codename ? ` (${col.codename})` : ''}`;
  if (!cell.findings.length && !cell.byRelease.length)
    return `<td class="cell state-${cell.state}" title="${esc(title)}">${head}</td>`;
  const perRelease = cell.byRelease.length
    ? `<p class="note">${esc(cell.byRelease.map((b) => `${b.release}: ${b.version}`).join(', '))}</p>`
    : '';
  return `<td class="cell state-${cell.state}"><details class="cell-details"><summary aria-label="${esc(`${title}: ${cell.versions.join(', ')} ${view.word}`)}">${head}</summary><div class="drill">${perRelease}${cell.findings.map(show).join('')}</div></details></td>`;
}

/** The timeline of one object as SVG (bars per version across the release columns). */
function timelineSvg(row: MatrixRow, order: string[], failing: Set<string>): string {
  const index = new Map(order.map((l, i) => [l, i]));
  const entries = row.timeline.filter((e) => e.releases.length);
  if (!entries.length) return '';
  const colW = Math.max(14, Math.min(40, Math.floor(900 / Math.max(order.length, 1))));
  const left = 70;
  const rowH = 18;
  const width = left + order.length * colW + 10;
  const height = entries.length * rowH + 34;
  const parts: string[] = [];
  entries.forEach((e, i) => {
    const y = 6 + i * rowH;
    parts.push(`<text x="4" y="${y + 12}">${esc(e.version)}</text>`);
    const idx = e.releases.map((r) => index.get(r) ?? -1).filter((n) => n >= 0);
    // One bar per contiguous run of releases.
    idx.sort((a, b) => a - b);
    let start = idx[0]!;
    let prev = start;
    const flush = (a: number, b: number) => {
      const cls =
        e.version === row.currentVersion ? 'tl-bar cur' : failing.has(e.version) ? 'tl-bar bad' : 'tl-bar';
      parts.push(
        `<rect class="${cls}" x="${left + a * colW + 1}" y="${y + 2}" width="${(b - a + 1) * colW - 2}" height="${rowH - 6}" rx="3"/>`,
      );
    };
    for (const n of idx.slice(1)) {
      if (n !== prev + 1) {
        flush(start, prev);
        start = n;
      }
      prev = n;
    }
    flush(start, prev);
  });
  const axisY = 6 + entries.length * rowH + 2;
  parts.push(
    `<line class="tl-axis" x1="${left}" y1="${axisY}" x2="${left + order.length * colW}" y2="${axisY}"/>`,
  );
  let lastSeries = '';
  order.forEach((l, i) => {
    const s = releaseSeries(l);
    if (s === lastSeries) return;
    lastSeries = s;
    parts.push(`<text x="${left + i * colW + 1}" y="${axisY + 14}">${esc(s)}</text>`);
  });
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(`versions of ${row.object} across releases`)}">${parts.join('')}</svg>`;
}

function timelineHtml(row: MatrixRow, order: string[], failing: Set<string>): string {
  const svg = timelineSvg(row, order, failing);
  const rows = row.timeline
    .map((e) => {
      const rel = e.releases.length
        ? e.releases.length > 3
          ? `${e.releases[0]} … ${e.releases.at(-1)} (${e.releases.length})`
          : e.releases.join(', ')
        : 'no walked release';
      const kids = e.children.length
        ? e.children.map((c) => `${c.field} (${c.child}): ${c.versions.join(', ')}`).join('; ')
        : '—';
      return `<tr><th scope="row">${esc(e.version)}${e.version === row.currentVersion ? ' <span class="pill">current</span>' : ''}</th><td>${esc(rel)}</td><td>${esc(kids)}</td></tr>`;
    })
    .join('');
  return `<details class="timeline"><summary>Timeline of ${esc(row.object)}: ${plural(row.timeline.length, 'version')}</summary>${svg}<div class="table-wrap"><table class="full"><caption>${esc(row.object)}: versions, the releases that shipped them, and the child versions each was released with</caption><thead><tr><th scope="col">version</th><th scope="col">releases</th><th scope="col">child versions seen</th></tr></thead><tbody>${rows}</tbody></table></div></details>`;
}

export function renderMatrix(m: CompatibilityMatrix, anchorOf: (f: Finding) => string): string {
  const out: string[] = [];
  // A finding shown in several cells (one version shipped by several series) is rendered in full
  // once, with its anchor; later cells link to it.
  const given = new Set<string>();
  const show = (cf: CellFinding): string => {
    const id = anchorOf(cf.finding);
    if (id && given.has(id)) return repeatedFindingHtml(cf, id);
    if (id) given.add(id);
    return cellFindingHtml(cf, id || undefined);
  };
  const c = m.counts;
  const failingRows = m.rows.filter(
    (r) => r.cells.some((x) => x.state === 'fail') || r.current.some((x) => x.finding.severity === 'error'),
  );
  out.push('<ul class="cards" aria-label="matrix totals">');
  out.push(
    `<li class="card"><span class="label">Objects</span><span class="value">${m.rows.length}</span><span class="sub">${plural(m.columns.length, 'release column')} + ${esc(m.currentLabel)}</span></li>`,
  );
  out.push(
    `<li class="card"><span class="label">Backlevels passing</span><span class="value">${m.checked ? c.pass : '—'}</span><span class="sub">${m.checked ? `${c.same} cells ship the current version` : 'no verifier ran'}</span></li>`,
  );
  out.push(
    `<li class="card"><span class="label">Backlevels failing</span><span class="value">${c.fail}</span><span class="sub">${plural(failingRows.length, 'object')}; ${c.warn} cells with warnings</span></li>`,
  );
  out.push('</ul>');
  for (const n of m.notes) out.push(`<p class="note">${esc(n)}</p>`);
  out.push('<ul class="legend" aria-label="legend">');
  for (const s of ['pass', 'fail', 'warn', 'same', 'absent', 'other-major', 'unchecked'] as const)
    out.push(`<li>${icon(STATE_VIEW[s].kind)}<span>${esc(STATE_VIEW[s].word)}</span></li>`);
  out.push('</ul>');
  if (!m.columns.length)
    out.push(
      '<p class="note">No release history was walked, so there are no release columns: only the current version and its findings are shown.</p>',
    );
  out.push('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="matrix-caption">');
  out.push('<table class="matrix compat-matrix">');
  out.push(
    `<caption id="matrix-caption">Each cell: the version a release shipped, and whether backleveling the current object (${esc(m.currentLabel)}) to it passes every check. Open a cell for its findings.</caption>`,
  );
  out.push('<thead><tr><th scope="col">object</th>');
  for (const col of m.columns)
    out.push(
      `<th scope="col" title="${esc(col.releases.join(', '))}">${esc(col.label)}${col.codename ? `<br><span class="muted">${esc(col.codename)}</span>` : ''}</th>`,
    );
  out.push(
    `<th scope="col">current<br><span class="muted">${esc(m.currentLabel)}</span></th></tr></thead><tbody>`,
  );
  for (const row of m.rows) {
    out.push(`<tr id="${esc(`obj-${row.object}`)}"><th scope="row">${esc(row.object)}</th>`);
    for (let i = 0; i < m.columns.length; i++) out.push(cellHtml(row.cells[i]!, row, m.columns[i]!, show));
    const cur = row.current;
    const bad = cur.some((x) => x.finding.severity === 'error');
    const head = `<span class="ver">${esc(row.currentVersion ?? '—')}</span>${cur.length ? badge(bad ? 'fail' : 'warn', `${cur.length} finding${cur.length === 1 ? '' : 's'}`) : ''}`;
    out.push(
      cur.length
        ? `<td class="cell"><details class="cell-details"><summary>${head}</summary><div class="drill">${cur.map(show).join('')}</div></details></td>`
        : `<td class="cell">${head}</td>`,
    );
    out.push('</tr>');
  }
  out.push('</tbody></table></div>');
  // Timelines: the objects with findings first, open; the others collapsed in one group.
  const order = [...new Set(m.rows.flatMap((r) => r.timeline.flatMap((e) => e.releases)))];
  const releaseOrder = orderReleases(order, m);
  out.push('<h3 id="timelines">Version timelines</h3>');
  out.push(
    '<p class="note">Bars: the releases that shipped each version (green: the current version; red: a version some backlevel to fails). The table under each timeline lists the child versions each version was released with.</p>',
  );
  const failingVersions = (r: MatrixRow) =>
    new Set(r.cells.filter((x) => x.state === 'fail').flatMap((x) => x.versions));
  const withFindings = m.rows.filter((r) => r.cells.some((x) => x.findings.length) || r.current.length);
  const others = m.rows.filter((r) => !withFindings.includes(r));
  for (const r of withFindings) out.push(timelineHtml(r, releaseOrder, failingVersions(r)));
  if (others.length)
    out.push(
      `<details><summary>${plural(others.length, 'object')} without findings</summary>${others.map((r) => timelineHtml(r, releaseOrder, new Set())).join('')}</details>`,
    );
  return out.join('');
}

function orderReleases(labels: string[], m: CompatibilityMatrix): string[] {
  const cols = m.columns.flatMap((c) => c.releases);
  const rest = labels.filter((l) => !cols.includes(l) && l !== m.currentLabel);
  return [...cols, ...rest, m.currentLabel];
}
