/**
 * What the pin verifier checks, as data: the distribution and its import package, the API index,
 * which requirement and constraint files to read, the legacy modules the library replaced, and how
 * instances of the library's classes are recognised in code that receives them (receiver names).
 * The built-in defaults describe os-xenapi in a Nova tree; everything can be overridden by the
 * `pins` section of the config file and by command-line flags, so the same check serves any
 * library with an API index.
 */
import { ConfigError } from '../../config/config-file.js';
import { compileSchema, formatSchemaErrors } from '../../config/schemas.js';

export interface InstanceRule {
  /** Qualified class name, e.g. `os_xenapi.client.session.XenAPISession`. */
  class: string;
  /**
   * Names that hold an instance of the class wherever they appear as a receiver: the last name of
   * the receiver expression (`session` in `session.call_xenapi(...)`, `_session` in
   * `self._session.call_xenapi(...)`). Names assigned from a constructor call are added per file.
   */
  receivers: string[];
}

export interface PinsSettings {
  /** Distribution name (`os-xenapi`); default: the index's `package`. */
  package: string;
  /** Import package (`os_xenapi`); default: the index's `importName`. */
  importName: string;
  /** API index file (absolute). Default: the built-in os-xenapi index. */
  index?: string;
  /** Requirement files, relative to the tree root (setup.cfg is read as setup.cfg). */
  requirementFiles: string[];
  /** Constraint files, relative to the tree root or absolute. */
  constraintFiles: string[];
  /** Constraint files named explicitly (`--constraints`): missing ones are an error. */
  explicitConstraintFiles: string[];
  /** Modules the library replaced; importing them while the library is required is `legacy-module`. */
  legacyModules: string[];
  instances: InstanceRule[];
  /**
   * Where receiver-name matching applies: `import-dirs` (files in or below a directory holding a
   * file that imports the library) or a list of globs relative to the tree root.
   */
  instanceScope: 'import-dirs' | string[];
  /** Methods of instances that call a dom0 plugin with (plugin, function, ...) string arguments. */
  pluginCallMethods: string[];
  /** Qualified names never counted as uses (e.g. names the index does not know on purpose). */
  ignoreSymbols: string[];
  /** Python version markers are evaluated for (`3.6`). */
  pythonVersion: string;
  /** Globs of Python files to analyse (default: every `.py` file) and to leave out. */
  include?: string[];
  exclude: string[];
}

/** The config-file section (`pins`): every key optional. */
export type PinsConfigSection = Partial<
  Omit<PinsSettings, 'explicitConstraintFiles' | 'package' | 'importName'> & {
    package: string;
    importName: string;
  }
>;

export const OS_XENAPI_DEFAULTS: Omit<PinsSettings, 'package' | 'importName'> = {
  requirementFiles: ['requirements.txt', 'test-requirements.txt', 'setup.cfg'],
  constraintFiles: ['lower-constraints.txt', 'upper-constraints.txt'],
  explicitConstraintFiles: [],
  legacyModules: ['nova.virt.xenapi.client'],
  instances: [
    {
      class: 'os_xenapi.client.session.XenAPISession',
      receivers: ['session', '_session', 'xenapi_session'],
    },
  ],
  instanceScope: 'import-dirs',
  pluginCallMethods: ['call_plugin', 'call_plugin_serialized', 'call_plugin_serialized_with_retry'],
  ignoreSymbols: [],
  pythonVersion: '3.6',
  exclude: [],
};

export function validatePinsSection(section: unknown, file = 'config'): PinsConfigSection {
  const validate = compileSchema('config-pins');
  if (!validate(section)) {
    throw new ConfigError(`${file}: pins: ${formatSchemaErrors(validate).join('; ')}`, file, 'pins');
  }
  return section as PinsConfigSection;
}
