/**
 * The migration dashboard: the virt-objects spec's 25 driver methods × driver classes (from
 * `lint --report status`, src/lint/contract.ts `ContractStatus`), each cell converted / raw calls
 * left / dict access left with counts and links to the sites (the lint findings inside the method,
 * or inside the helper methods it delegates to), plus the progress of the os-xenapi swap (legacy
 * imports, dom0 plugin calls, os_xenapi uses and the requirement pin).
 */
import type { ContractStatus, MethodStatus, MethodStatusEntry } from '../../lint/contract.js';
import type { Finding } from '../finding.js';
import { esc, percent, plural } from './escape.js';
import { badge, icon, type StatusKind } from './icons.js';
import type { XenapiProgress } from './xenapi-progress.js';

export const RAW_RULE = 'raw-conductor-call';
export const DICT_RULE = 'dict-style-object-access';
export const CONTRACT_RULE = 'virt-driver-method-contract';
export const LEGACY_IMPORT_RULE = 'legacy-xenapi-import';
export const PLUGIN_CALL_RULE = 'dom0-plugin-call';

/** One site a cell links to: a finding in the report. */
export interface SiteLink {
  finding: Finding;
  kind: 'raw' | 'dict' | 'method';
}

export interface DashboardCell {
  method: string;
  status: MethodStatus;
  entry: MethodStatusEntry;
  sites: SiteLink[];
  /** The implementation and the helpers it delegates to, where found: `VMOps.get_info` at file:line-line. */
  code: { label: string; file: string; start: number; end: number }[];
}

export interface DashboardDriver {
  driver: string;
  className: string;
  qualifiedName: string;
  file: string;
  line: number;
  cells: Record<string, DashboardCell>;
  implemented: number;
  converted: number;
}

export interface MigrationDashboard {
  methods: string[];
  drivers: DashboardDriver[];
  totals: {
    implemented: number;
    converted: number;
    rawLeft: number;
    dictLeft: number;
    rawCallSites: number;
    dictAccessSites: number;
  };
  xenapi: XenapiProgress;
}

/** A method's body as seen in its source: `class` at column 0, `def` one level in. */
interface MethodExtent {
  cls: string;
  method: string;
  start: number;
  end: number;
}

/**
 * Top-level classes and their direct methods with line extents, from the source text: a method
 * runs from its `def` (or first decorator) to the last line indented deeper than the `def`.
 */
export function methodExtents(source: string): MethodExtent[] {
  const lines = source.split(/\r?\n/);
  const out: MethodExtent[] = [];
  let cls: string | undefined;
  let bodyIndent = -1;
  let open: (MethodExtent & { indent: number }) | undefined;
  const close = (endLine: number) => {
    if (open) {
      out.push({ cls: open.cls, method: open.method, start: open.start, end: endLine });
      open = undefined;
    }
  };
  let lastCode = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    if (!text.trim() || text.trimStart().startsWith('#')) continue;
    const indent = text.length - text.trimStart().length;
    if (open && indent <= open.indent) close(lastCode);
    if (indent === 0) {
      const m = /^class\s+([A-Za-z_]\w*)/.exec(text);
      cls = m ? m[1] : undefined;
      bodyIndent = -1;
    } else if (cls) {
      const d = /^(\s+)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/.exec(text);
      if (d && (bodyIndent < 0 || d[1]!.length === bodyIndent)) {
        bodyIndent = d[1]!.length;
        open = { cls, method: d[2]!, start: i + 1, end: i + 1, indent: bodyIndent };
      } else if (bodyIndent < 0) bodyIndent = indent;
    }
    lastCode = i + 1;
  }
  close(lastCode);
  return out;
}

export interface DashboardInput {
  status: ContractStatus;
  findings: readonly Finding[];
  source?: (file: string) => string | undefined;
  xenapi?: XenapiProgress;
}

function moduleFile(qualifiedClass: string): { file: string; cls: string } {
  const parts = qualifiedClass.split('.');
  const cls = parts.pop() ?? '';
  return { file: `${parts.join('/')}.py`, cls };
}

export function buildDashboard(input: DashboardInput): MigrationDashboard {
  const { status, findings } = input;
  const siteFindings = findings.filter((f) => f.rule === RAW_RULE || f.rule === DICT_RULE);
  const files = new Set(siteFindings.map((f) => f.file));
  for (const d of status.drivers) files.add(d.file);
  // Method extents of every file that holds a site or a driver.
  const extents = new Map<string, MethodExtent[]>();
  const extentsOf = (file: string) => {
    let e = extents.get(file);
    if (!e) {
      const text = input.source?.(file);
      e = text === undefined ? [] : methodExtents(text);
      extents.set(file, e);
    }
    return e;
  };
  for (const f of files) extentsOf(f);
  /** Where `Cls.method` is defined: the qualified module when known, else any file with that class. */
  const locate = (
    cls: string,
    method: string,
    preferFile?: string,
  ): { file: string; ext: MethodExtent }[] => {
    const hits: { file: string; ext: MethodExtent }[] = [];
    const order = preferFile
      ? [preferFile, ...[...extents.keys()].filter((k) => k !== preferFile)]
      : [...extents.keys()];
    for (const file of order) {
      for (const e of extentsOf(file)) if (e.cls === cls && e.method === method) hits.push({ file, ext: e });
      if (hits.length && file === preferFile) break;
    }
    return hits;
  };
  const sitesByFile = new Map<string, Finding[]>();
  for (const f of siteFindings) {
    const list = sitesByFile.get(f.file) ?? [];
    list.push(f);
    sitesByFile.set(f.file, list);
  }
  const contractAt = new Map<string, Finding>();
  for (const f of findings) {
    if (f.rule !== CONTRACT_RULE) continue;
    const d = f.data ?? {};
    contractAt.set(`${d.className}\0${d.driver}\0${d.method}`, f);
  }
  const drivers: DashboardDriver[] = [];
  const totals = {
    implemented: 0,
    converted: 0,
    rawLeft: 0,
    dictLeft: 0,
    rawCallSites: 0,
    dictAccessSites: 0,
  };
  const counted = new Set<Finding>();
  for (const d of status.drivers) {
    const cells: Record<string, DashboardCell> = {};
    let implemented = 0;
    let converted = 0;
    for (const method of status.methods) {
      const entry = d.methods[method] ?? {
        status: 'not-implemented' as const,
        rawCalls: 0,
        dictAccesses: 0,
        rawMethods: [],
        via: [],
      };
      const sites: SiteLink[] = [];
      const code: DashboardCell['code'] = [];
      const contract = contractAt.get(`${d.className}\0${d.driver}\0${method}`);
      if (contract) sites.push({ finding: contract, kind: 'method' });
      if (entry.status !== 'not-implemented' && entry.status !== 'clean') {
        const targets: { file?: string; cls: string; method: string }[] = [];
        if (entry.definedIn) {
          const mf = moduleFile(entry.definedIn);
          targets.push({ file: mf.file, cls: mf.cls, method });
        }
        for (const v of entry.via) {
          const dot = v.lastIndexOf('.');
          if (dot > 0) targets.push({ cls: v.slice(0, dot), method: v.slice(dot + 1) });
        }
        const seen = new Set<Finding>();
        for (const t of targets) {
          const dir = d.file.replace(/\/[^/]*$/, '/');
          const prefer = t.file ?? [...sitesByFile.keys()].find((k) => k.startsWith(dir));
          const hits = locate(t.cls, t.method, prefer);
          const first = hits[0];
          if (first)
            code.push({
              label: `${t.cls}.${t.method}`,
              file: first.file,
              start: first.ext.start,
              end: first.ext.end,
            });
          for (const hit of hits) {
            for (const f of sitesByFile.get(hit.file) ?? []) {
              if (f.line < hit.ext.start || f.line > hit.ext.end || seen.has(f)) continue;
              seen.add(f);
              sites.push({ finding: f, kind: f.rule === RAW_RULE ? 'raw' : 'dict' });
            }
          }
        }
      }
      if (entry.status !== 'not-implemented') implemented++;
      if (entry.status === 'clean') converted++;
      if (entry.rawCalls) totals.rawLeft++;
      if (entry.dictAccesses) totals.dictLeft++;
      cells[method] = { method, status: entry.status, entry, sites, code };
    }
    totals.implemented += implemented;
    totals.converted += converted;
    drivers.push({
      driver: d.driver,
      className: d.className,
      qualifiedName: d.qualifiedName,
      file: d.file,
      line: d.line,
      cells,
      implemented,
      converted,
    });
  }
  for (const f of siteFindings) {
    if (counted.has(f)) continue;
    counted.add(f);
    if (f.rule === RAW_RULE) totals.rawCallSites++;
    else totals.dictAccessSites++;
  }
  return {
    methods: status.methods,
    drivers,
    totals,
    xenapi: input.xenapi ?? xenapiFromFindings(findings),
  };
}

/** What the lint findings alone say about the os-xenapi swap (no usage scan, no pin). */
export function xenapiFromFindings(findings: readonly Finding[]): XenapiProgress {
  const legacy = findings.filter((f) => f.rule === LEGACY_IMPORT_RULE);
  const plugin = findings.filter((f) => f.rule === PLUGIN_CALL_RULE);
  const unconvertible = plugin.filter((f) => f.data?.convertible === false);
  return {
    legacyImportSites: legacy.length,
    pluginCallsConvertible: plugin.length - unconvertible.length,
    pluginCallsUnconvertible: unconvertible.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

const CELL_VIEW: Record<MethodStatus, { kind: StatusKind; word: string }> = {
  clean: { kind: 'pass', word: 'converted' },
  'raw-calls': { kind: 'fail', word: 'raw calls' },
  'dict-access': { kind: 'warn', word: 'dict access' },
  'raw-calls+dict-access': { kind: 'fail', word: 'raw + dict' },
  'not-implemented': { kind: 'none', word: 'not implemented' },
};

/** A horizontal progress bar (SVG) with its numbers in text next to it. */
export function progressBar(done: number, total: number, label: string): string {
  const pct = percent(done, total);
  return `<span class="progress" role="img" aria-label="${esc(`${label}: ${done} of ${total} (${pct}%)`)}"><svg viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect x="0" y="0" width="100" height="8" rx="3" fill="var(--none-bg)"/><rect x="0" y="0" width="${pct}" height="8" rx="3" fill="var(--pass)"/></svg></span>`;
}

export function card(label: string, value: string, sub?: string, extra = ''): string {
  const textual = !/^[\d\s/%—-]+$/.test(value);
  return `<li class="card"><span class="label">${esc(label)}</span><span class="value${textual ? ' text' : ''}">${esc(value)}</span>${sub ? `<span class="sub">${esc(sub)}</span>` : ''}${extra}</li>`;
}

function siteLabel(s: SiteLink): string {
  const f = s.finding;
  const what = s.kind === 'raw' ? 'raw call' : s.kind === 'dict' ? 'dict access' : 'method';
  return `${what} ${f.file}:${f.line}`;
}

function cellHtml(
  cell: DashboardCell,
  driver: DashboardDriver,
  anchor: (f: Finding) => string | undefined,
): string {
  const view = CELL_VIEW[cell.status];
  const e = cell.entry;
  const label =
    cell.status === 'raw-calls+dict-access'
      ? `raw ${e.rawCalls} + dict ${e.dictAccesses}`
      : cell.status === 'raw-calls'
        ? `raw calls: ${e.rawCalls}`
        : cell.status === 'dict-access'
          ? `dict access: ${e.dictAccesses}`
          : view.word;
  const head = badge(view.kind, label);
  if (cell.status === 'clean' || cell.status === 'not-implemented') {
    const where =
      cell.status === 'clean' && e.definedIn && e.definedIn !== driver.qualifiedName
        ? `<br><span class="muted">in ${esc(e.definedIn.split('.').pop())}</span>`
        : '';
    return `<td class="cell status-${cell.status}">${head}${where}</td>`;
  }
  const facts: string[] = [];
  if (e.rawMethods.length) facts.push(`<dt>raw methods</dt><dd>${esc(e.rawMethods.join(', '))}</dd>`);
  if (e.via.length) facts.push(`<dt>via</dt><dd>${esc(e.via.join(', '))}</dd>`);
  if (e.definedIn) facts.push(`<dt>defined in</dt><dd>${esc(e.definedIn)}</dd>`);
  const links = cell.sites
    .map((s) => {
      const id = anchor(s.finding);
      const text = esc(siteLabel(s));
      return `<li>${id ? `<a href="#${esc(id)}">${text}</a>` : text}</li>`;
    })
    .join('');
  if (cell.code.length)
    facts.push(
      `<dt>code</dt><dd>${cell.code.map((c) => esc(`${c.label} ${c.file}:${c.start}-${c.end}`)).join('<br>')}</dd>`,
    );
  const reported = cell.sites.filter((s) => s.kind !== 'method').length;
  const unreported = e.rawCalls + e.dictAccesses - reported;
  const note =
    unreported > 0
      ? `<p class="note">${plural(unreported, 'counted access', 'counted accesses')} not reported as a site (in a helper the site rules do not scan, or a file outside their scope): see the code above.</p>`
      : '';
  return `<td class="cell status-${cell.status}"><details class="cell-details"><summary>${head}</summary><div class="drill"><dl class="facts">${facts.join('')}</dl>${links ? `<ul class="sites" aria-label="sites">${links}</ul>` : ''}${note}</div></details></td>`;
}

export function renderDashboard(d: MigrationDashboard, anchor: (f: Finding) => string | undefined): string {
  const out: string[] = [];
  const t = d.totals;
  out.push('<h3 id="dashboard-summary">Virt driver methods (virt-objects spec)</h3>');
  out.push('<ul class="cards" aria-label="driver method totals">');
  out.push(
    card(
      'Methods converted',
      `${t.converted} / ${t.implemented}`,
      `${percent(t.converted, t.implemented)}% of implemented methods across ${plural(d.drivers.length, 'driver')}`,
      progressBar(t.converted, t.implemented, 'methods converted'),
    ),
  );
  out.push(card('Methods with raw calls left', String(t.rawLeft), plural(t.rawCallSites, 'raw call site')));
  out.push(
    card(
      'Methods with dict access left',
      String(t.dictLeft),
      plural(t.dictAccessSites, 'dict access site', 'dict access sites'),
    ),
  );
  out.push('</ul>');
  if (d.drivers.length === 0) {
    out.push('<p>No driver classes (deriving from <code>nova.virt.driver.ComputeDriver</code>) found.</p>');
  } else {
    out.push('<ul class="legend" aria-label="legend">');
    for (const s of [
      'clean',
      'raw-calls',
      'dict-access',
      'raw-calls+dict-access',
      'not-implemented',
    ] as const)
      out.push(`<li>${icon(CELL_VIEW[s].kind)}<span>${esc(CELL_VIEW[s].word)}</span></li>`);
    out.push('</ul>');
    out.push('<div class="table-wrap" tabindex="0" role="region" aria-labelledby="dashboard-caption">');
    out.push('<table class="matrix dashboard-table">');
    out.push(
      `<caption id="dashboard-caption">The ${d.methods.length} driver methods of the virt-objects spec × ${plural(d.drivers.length, 'driver class', 'driver classes')}: converted, raw conductor/db calls left, dict access on the instance left. Open a cell for its sites.</caption>`,
    );
    out.push('<thead><tr><th scope="col">method</th>');
    for (const dr of d.drivers)
      out.push(
        `<th scope="col"><span>${esc(dr.driver)}</span><br><span class="muted">${esc(dr.className)}</span></th>`,
      );
    out.push('</tr></thead><tbody>');
    for (const m of d.methods) {
      out.push(`<tr><th scope="row"><code>${esc(m)}</code></th>`);
      for (const dr of d.drivers) {
        const cell = dr.cells[m];
        out.push(cell ? cellHtml(cell, dr, anchor) : '<td class="cell">–</td>');
      }
      out.push('</tr>');
    }
    out.push('</tbody><tfoot><tr><th scope="row">converted</th>');
    for (const dr of d.drivers)
      out.push(
        `<td class="num">${dr.converted} / ${dr.implemented}${progressBar(dr.converted, dr.implemented, `${dr.driver} ${dr.className} converted`)}</td>`,
      );
    out.push('</tr></tfoot></table></div>');
  }
  out.push(renderXenapi(d.xenapi, anchor));
  return out.join('');
}

export function renderXenapi(x: XenapiProgress, anchor: (f: Finding) => string | undefined): string {
  const out: string[] = [
    '<h3 id="xenapi-swap">os-xenapi swap</h3>',
    '<ul class="cards" aria-label="os-xenapi swap">',
  ];
  const uses = x.osXenapi;
  const importsDone = uses?.importingFiles ?? 0;
  out.push(
    card(
      'Legacy client imports left',
      String(x.legacyImportSites),
      uses
        ? `${plural(importsDone, 'file')} already import os_xenapi`
        : 'sites importing nova.virt.xenapi.client',
      uses ? progressBar(importsDone, importsDone + x.legacyImportSites, 'imports swapped') : '',
    ),
  );
  const pluginDone = uses?.pluginCalls ?? 0;
  out.push(
    card(
      'dom0 plugin calls left',
      String(x.pluginCallsConvertible),
      `${x.pluginCallsUnconvertible} without an os-xenapi function${uses ? `; ${pluginDone} already through os_xenapi` : ''}`,
      uses ? progressBar(pluginDone, pluginDone + x.pluginCallsConvertible, 'plugin calls swapped') : '',
    ),
  );
  if (uses) {
    const pinBad = uses.pinFindings.filter((f) => f.severity === 'error');
    const pinText = uses.requirement ? `${uses.package}${uses.requirement.specifier}` : 'not required';
    const sub =
      uses.uses && uses.neededVersion
        ? `the code needs ${uses.package} ≥ ${uses.neededVersion}${uses.requirement ? ` (${uses.requirement.file}:${uses.requirement.line})` : ''}`
        : `the code does not use ${uses.package} yet`;
    out.push(
      card(
        'Requirement pin',
        pinText,
        sub,
        `<span class="sub">${pinBad.length ? badge('fail', `${plural(pinBad.length, 'pin error')}`) : uses.uses ? badge('pass', 'pin satisfies the code') : badge('none', 'no os_xenapi use')}</span>`,
      ),
    );
  } else out.push(card('Requirement pin', 'not checked', 'run gate or verify pins for the pin'));
  out.push('</ul>');
  if (uses?.pinFindings.length) {
    out.push(
      `<details${uses.pinFindings.length <= 3 ? ' open' : ''}><summary>${plural(uses.pinFindings.length, 'pin finding')}</summary><ul class="sites" aria-label="pin findings">`,
    );
    for (const f of uses.pinFindings) {
      const id = anchor(f);
      const text = esc(`${f.rule}: ${f.message}`);
      out.push(`<li>${id ? `<a href="#${esc(id)}">${text}</a>` : text}</li>`);
    }
    out.push('</ul></details>');
  }
  return out.join('');
}
