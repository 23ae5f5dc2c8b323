/**
 * The rule data every lint rule reads, loaded once per thread: the conductor mapping table, the
 * virt driver method table, and the os-xenapi tables (import renames, plugin calls) owned by the
 * xenapi area.
 */
import {
  loadPluginCallTable,
  loadXenapiImportRules,
  type PluginCallTable,
  type XenapiImportRules,
} from '../xenapi/rule-tables.js';
import { type ConductorMethodTable, loadConductorMethods } from './conductor-methods.js';
import { loadVirtDriverMethods, type VirtDriverMethodTable } from './virt-driver-methods.js';

export interface LintTables {
  conductor: ConductorMethodTable;
  virtDriver: VirtDriverMethodTable;
  xenapiImports: XenapiImportRules;
  pluginCalls: PluginCallTable;
}

export interface TableFiles {
  conductorMethods?: string;
  virtDriverMethods?: string;
  xenapiImports?: string;
  pluginCalls?: string;
}

export function loadLintTables(files: TableFiles = {}): LintTables {
  return {
    conductor: loadConductorMethods(...(files.conductorMethods ? [files.conductorMethods] : [])),
    virtDriver: loadVirtDriverMethods(...(files.virtDriverMethods ? [files.virtDriverMethods] : [])),
    xenapiImports: loadXenapiImportRules(files.xenapiImports),
    pluginCalls: loadPluginCallTable(files.pluginCalls),
  };
}
