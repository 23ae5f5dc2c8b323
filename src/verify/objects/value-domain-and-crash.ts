/**
 * Check 6, value-domain-and-crash: (a) enum fields whose valid values grew after version v must be
 * dropped, converted or refused (`ObjectActionError`, e.g. `raise_on_too_new_values`) for targets
 * below the version that added the values: every value of the sender's enum is swept and the
 * backleveled primitive must hold only values v accepts; (b) backleveling an empty, a partially
 * set and a fully set object to every older version raises nothing but a deliberate
 * `ObjectActionError`.
 */
import type { PythonError } from '../../objects/errors.js';
import { pythonErrorText } from './backlevel.js';
import type { Pair } from './pairs.js';
import type { PrimitiveIssue } from './primitive-check.js';
import { type FindingSet, objectFinding, pairLabel } from './types.js';

export function reportCrash(pair: Pair, variant: string, error: PythonError, findings: FindingSet): void {
  const { sender, target } = pair;
  const at = error.objectPath ? ` (at ${error.objectPath})` : '';
  const field = /^[^.]+\.([A-Za-z_][A-Za-z0-9_]*)/.exec(error.objectPath ?? '')?.[1];
  findings.add(
    objectFinding({
      check: 'value-domain-and-crash',
      object: sender.def.name,
      version: sender.def.version,
      targetVersion: target.version,
      ...(field ? { field } : {}),
      revision: sender.revision,
      message: `${pairLabel(sender.def.name, sender.def.version, target.version)} at ${sender.revision} crashes on the ${variant} object: ${pythonErrorText(error)}${at}; only a deliberate ObjectActionError may stop a backlevel`,
      file: sender.def.source?.file ?? '',
      ...(sender.def.source?.line ? { line: sender.def.source.line } : {}),
      data: { variant, kind: 'crash', error: pythonErrorText(error) },
    }),
    `crash:${error.pythonName}`,
  );
}

export function reportEnumIssues(
  pair: Pair,
  variant: string,
  issues: PrimitiveIssue[],
  findings: FindingSet,
): void {
  const { sender, target } = pair;
  for (const issue of issues) {
    if (issue.kind !== 'enum') continue;
    findings.add(
      objectFinding({
        check: 'value-domain-and-crash',
        object: sender.def.name,
        version: sender.def.version,
        targetVersion: target.version,
        ...(issue.field ? { field: issue.field } : {}),
        revision: sender.revision,
        message: `${pairLabel(sender.def.name, sender.def.version, target.version)} at ${sender.revision} sends a value version ${target.version} does not know (${issue.message}); drop, convert or refuse it (raise_on_too_new_values) below the version that added it`,
        file: sender.def.source?.file ?? '',
        ...(sender.def.source?.line ? { line: sender.def.source.line } : {}),
        data: { variant, path: issue.path, kind: 'too-new-value' },
      }),
      'enum',
    );
  }
}
