/**
 * dict-style-object-access: `instance['field']` / `instance.get('field')` (and item writes) on the
 * instance parameter of a virt driver method that the compute manager passes as an Instance object
 * (`rules/virt-driver-methods.yaml`). Suggests attribute access. A parameter the method rebinds or
 * checks with `isinstance(x, dict)` may be a real dict and is left alone.
 */
import type { PyFile } from '../../python/source-file.js';
import { type DictAccess, driverMethodUses, manualOnlyAccess } from '../driver-methods.js';
import type { LintRule } from '../types.js';
import { VIRT_DRIVER_EXCLUDES } from '../virt-driver-scope.js';

/**
 * Why conductor-to-objects leaves this access to a human whatever the target release (so the
 * finding must not advertise the codemod as its fix), with the replacement to suggest instead:
 * item deletion, and `.get()` with a default or arguments that cannot be read.
 */
function manualOnly(file: PyFile, a: DictAccess): { reason: string; suggestion?: string } | undefined {
  const attr = `${a.param}.${a.key}`;
  const m = manualOnlyAccess(a);
  switch (m?.why) {
    case undefined:
      return undefined;
    case 'delete':
      return { reason: 'objects have no item deletion; decide what the field should hold' };
    case 'get-arguments':
      return { reason: `${a.param}.get() with arguments that cannot be read` };
    case 'get-default': {
      const d = file.slice(m.dflt);
      return {
        reason: `.get('${a.key}', ${d}) returns the default when the field is not set; ${attr} lazy-loads or raises instead`,
        suggestion: `${attr} if ${a.param}.obj_attr_is_set('${a.key}') else ${d}`,
      };
    }
  }
}

export const dictStyleObjectAccess: LintRule = {
  meta: {
    id: 'dict-style-object-access',
    title: 'Dict-style access on an Instance object argument',
    description:
      'A virt driver method reads or writes its Instance object argument as a dict. Objects support it only ' +
      'through a compatibility shim; attribute access is checked against the object fields and lazy-loads.',
    severity: 'warning',
    docs: 'README.md#dict-style-object-access',
    fixableBy: 'conductor-to-objects',
    scope: ['nova/virt/**'],
    exclude: [...VIRT_DRIVER_EXCLUDES],
    triggers: ['instance'],
  },
  check(ctx) {
    for (const use of driverMethodUses(ctx.file, ctx.tables.virtDriver)) {
      for (const a of use.accesses) {
        const attr = `${a.param}.${a.key}`;
        const suggestion =
          a.kind === 'write'
            ? `${attr} = ...`
            : a.kind === 'delete'
              ? `del ${attr} (or reset the field)`
              : attr;
        const era = use.entry.objectSince
          ? ` (an object since Nova ${use.entry.objectSince}${use.entry.rpc ? `, compute RPC ${use.entry.rpc}` : ''})`
          : '';
        const form = a.kind === 'get' ? `${a.param}.get('${a.key}')` : `${a.param}['${a.key}']`;
        const manual = manualOnly(ctx.file, a);
        const use_ = manual?.suggestion ?? suggestion;
        ctx.report({
          node: a.node,
          message:
            `${form} on the Instance object that ${use.def.name}() receives${era}: use ${use_}` +
            (manual ? ` (by hand: ${manual.reason})` : ''),
          suggestion: use_,
          ...(manual ? {} : { fix: { codemod: 'conductor-to-objects', description: `use ${attr}` } }),
          data: {
            method: use.def.name,
            param: a.param,
            field: a.key,
            access: a.kind,
            ...(use.entry.objectSince ? { objectSince: use.entry.objectSince } : {}),
            ...(manual ? { manual: manual.reason } : {}),
          },
        });
      }
    }
  },
};
