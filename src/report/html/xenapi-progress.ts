/**
 * Progress of the os-xenapi swap for the dashboard: what is left (legacy `nova.virt.xenapi.client`
 * imports, raw dom0 plugin calls with and without an os-xenapi function, from the lint findings)
 * and what is done (files importing os_xenapi, calls of os_xenapi's dom0 plugin functions, the
 * requirement pin and its findings, from `verify pins`).
 */
import type { Project } from '../../engine/project.js';
import { resolvePinsSettings, verifyPins } from '../../verify/pins/verify-pins.js';
import { loadPluginCallTable } from '../../xenapi/rule-tables.js';
import type { Finding } from '../finding.js';

export interface OsXenapiUse {
  package: string;
  /** Uses of os_xenapi symbols (imports, references, calls). */
  uses: number;
  /** Files whose imports bind os_xenapi. */
  importingFiles: number;
  /** Uses of os_xenapi's python replacements of dom0 plugin calls. */
  pluginCalls: number;
  /** The lowest os-xenapi version the code's uses work with. */
  neededVersion: string | null;
  /** The requirement line (first non-constraint one), if any. */
  requirement?: { file: string; line: number; raw: string; specifier: string };
  /** The pin verifier's findings. */
  pinFindings: Finding[];
}

export interface XenapiProgress {
  legacyImportSites: number;
  pluginCallsConvertible: number;
  pluginCallsUnconvertible: number;
  /** Present when the pin verifier ran over the tree. */
  osXenapi?: OsXenapiUse;
}

/** Runs `verify pins` over the project for the "done" side of the os-xenapi swap. */
export async function collectOsXenapiUse(project: Project, jobs?: number): Promise<OsXenapiUse> {
  const { settings, index } = resolvePinsSettings(project.root, project.config.pins);
  const report = await verifyPins({ project, settings, index, ...(jobs ? { jobs } : {}) });
  const pluginModules = new Set(loadPluginCallTable().pythonModules());
  let pluginCalls = 0;
  for (const u of report.uses) {
    const mod = u.symbol.replace(/\.[^.]*$/, '');
    if (pluginModules.has(mod) || u.symbol.includes(' -> ')) pluginCalls += u.uses;
  }
  const req = report.requirements.find((r) => !r.constraint);
  return {
    package: report.package,
    uses: report.uses.reduce((n, u) => n + u.uses, 0),
    importingFiles: report.files.importing,
    pluginCalls,
    neededVersion: report.neededVersion,
    ...(req
      ? { requirement: { file: req.file, line: req.line, raw: req.raw, specifier: req.specifier } }
      : {}),
    pinFindings: report.findings,
  };
}
