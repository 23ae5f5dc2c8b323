/**
 * Check 1, backlevel-accepted: a populated graph of the sender, backleveled to an older version v
 * (with the manifest of the release that shipped v, in manifest eras), must be what a peer at v
 * accepts: no field v lacked, no child at a version v's release did not know, values of types v
 * accepts. Too-new enum values are left to value-domain-and-crash.
 */
import type { JsonObject } from '../../objects/model.js';
import type { Pair } from './pairs.js';
import type { PrimitiveChecker, PrimitiveIssue } from './primitive-check.js';
import { type FindingSet, objectFinding, pairLabel } from './types.js';

export function describeIssueKind(kind: PrimitiveIssue['kind']): string {
  switch (kind) {
    case 'unexpected-field':
      return 'leaks a field';
    case 'child-version':
      return 'sends a child the receiver cannot load';
    case 'child-major':
      return 'sends a child of another major version';
    case 'enum':
      return 'sends a value the receiver rejects';
    case 'type':
      return 'sends a value of a type the receiver rejects';
    default:
      return 'sends a malformed primitive';
  }
}

/** Validates one backleveled primitive; returns the issues it found (enum issues excluded). */
export function checkBackleveledPrimitive(
  pair: Pair,
  variant: string,
  primitive: JsonObject,
  checker: PrimitiveChecker,
  findings: FindingSet,
): PrimitiveIssue[] {
  const { sender, target } = pair;
  const issues = checker.check(primitive, sender.def.name, target.version, target.manifest);
  const receiver = target.release ? ` (release ${target.release.label})` : '';
  for (const issue of issues) {
    if (issue.kind === 'enum') continue;
    findings.add(
      objectFinding({
        check: 'backlevel-accepted',
        ...(issue.kind === 'child-major' ? { severity: 'warning' as const } : {}),
        object: sender.def.name,
        version: sender.def.version,
        targetVersion: target.version,
        ...(issue.field ? { field: issue.field } : {}),
        revision: sender.revision,
        message: `${pairLabel(sender.def.name, sender.def.version, target.version)} at ${sender.revision} ${describeIssueKind(issue.kind)}: ${issue.message}; a peer at ${target.version}${receiver} would ${issue.kind === 'unexpected-field' ? 'silently drop it' : 'fail or misread it'}`,
        file: sender.def.source?.file ?? '',
        ...(sender.def.source?.line ? { line: sender.def.source.line } : {}),
        data: { variant, path: issue.path, kind: issue.kind, receiverRelease: target.release?.label ?? null },
      }),
      issue.kind,
    );
  }
  return issues;
}
