/**
 * Shared shapes of the object checks: check ids and descriptors, the finding builder (every
 * finding names the check, object, versions, field and revision, in its message and in `data`),
 * and de-duplication.
 */
import { createHash } from 'node:crypto';
import type { Finding, Severity } from '../../report/finding.js';
import type { RuleDescriptor } from '../../report/report-input.js';

export const OBJECT_CHECKS = [
  'backlevel-accepted',
  'round-trip',
  'relationships',
  'version-bump',
  'make-compatible-coverage',
  'value-domain-and-crash',
  'runtime-bridge',
] as const;
export type ObjectCheckId = (typeof OBJECT_CHECKS)[number];

export function isObjectCheck(s: string): s is ObjectCheckId {
  return (OBJECT_CHECKS as readonly string[]).includes(s);
}

export const CHECK_DESCRIPTORS: RuleDescriptor[] = [
  {
    id: 'backlevel-accepted',
    title: 'A populated object backleveled to an older version is what that version accepts',
    description:
      'No field the older version lacked, no child at a version it did not know, values of types it accepts.',
    severity: 'error',
  },
  {
    id: 'round-trip',
    title: 'Older primitive -> current object -> backlevel again loses and changes nothing',
    severity: 'error',
  },
  {
    id: 'relationships',
    title: 'obj_relationships / child_versions point at real, ordered child versions shipped with the parent',
    severity: 'error',
  },
  {
    id: 'version-bump',
    title: 'Schema or remotable signature changes come with a version bump; versions are never reused',
    severity: 'error',
  },
  {
    id: 'make-compatible-coverage',
    title: 'obj_make_compatible drops or converts every field added after a version for older targets',
    severity: 'error',
  },
  {
    id: 'value-domain-and-crash',
    title: 'Too-new enum values are dropped, converted or refused; backlevelling never crashes',
    severity: 'error',
  },
  {
    id: 'runtime-bridge',
    title: "The project's real Python objects backlevel as the TypeScript runtime predicts",
    severity: 'error',
  },
];

export interface ObjectFindingInput {
  check: ObjectCheckId;
  severity?: Severity;
  object: string;
  version?: string;
  targetVersion?: string;
  field?: string;
  revision?: string;
  message: string;
  file?: string;
  line?: number;
  /** Extra data (variant, path, expected, actual...). */
  data?: Record<string, unknown>;
}

export function objectFinding(f: ObjectFindingInput): Finding {
  const data: Record<string, unknown> = {
    check: f.check,
    object: f.object,
    version: f.version ?? null,
    targetVersion: f.targetVersion ?? null,
    field: f.field ?? null,
    revision: f.revision ?? null,
    ...(f.data ?? {}),
  };
  const fingerprint = createHash('sha1')
    .update([f.check, f.object, f.version, f.targetVersion, f.field, f.message].join('\0'))
    .digest('hex')
    .slice(0, 16);
  return {
    rule: f.check,
    severity: f.severity ?? 'error',
    file: f.file ?? '',
    line: f.line ?? 1,
    column: 1,
    endLine: f.line ?? 1,
    endColumn: 1,
    message: f.message,
    fingerprint,
    data,
  };
}

/** Keeps the first finding per key (check, object, version, target, field, kind). */
export class FindingSet {
  private readonly seen = new Map<string, Finding>();
  private readonly kinds = new Map<string, string>();
  /** How many findings collapsed into each kept one. */
  readonly duplicates = new Map<string, number>();

  add(f: Finding, kind = ''): void {
    const d = f.data ?? {};
    const key = [f.rule, d.object, d.version, d.targetVersion, d.field, kind || f.message].join('\0');
    const prev = this.seen.get(key);
    if (prev) {
      this.duplicates.set(key, (this.duplicates.get(key) ?? 0) + 1);
      return;
    }
    this.seen.set(key, f);
    this.kinds.set(key, kind);
  }

  list(): Finding[] {
    return [...this.seen.values()];
  }

  /** The kept findings with the kind each was added under: replayed in order into another set, the
   * result is what adding them there directly would have given. */
  kept(): [Finding, string][] {
    return [...this.seen].map(([key, f]) => [f, this.kinds.get(key) ?? '']);
  }

  /** Adds the kept findings of `other`, in order. */
  merge(other: Iterable<[Finding, string]>): void {
    for (const [f, kind] of other) this.add(f, kind);
  }
}

/** 'Instance 1.13 -> 1.9' style label. */
export function pairLabel(object: string, version: string, target?: string): string {
  return target ? `${object} ${version} -> ${target}` : `${object} ${version}`;
}
