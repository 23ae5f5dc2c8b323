/**
 * One backlevel as the sender's era performs it, with the outcome classified: a primitive, a
 * deliberate refusal (`ObjectActionError`, which the checks count as a pass), a crash (any other
 * Python exception the real code would raise), or a modelling gap of the TypeScript runtime
 * (reported as a note, never as a finding).
 */
import { ObjectActionError, PythonError } from '../../objects/errors.js';
import type { JsonObject } from '../../objects/model.js';
import { objToPrimitive, type VersionedObjectInstance } from '../../objects/versioned-object.js';
import type { Pair } from './pairs.js';

export type BacklevelOutcome =
  | { kind: 'primitive'; primitive: JsonObject }
  | { kind: 'refused'; error: ObjectActionError }
  | { kind: 'crash'; error: PythonError }
  | { kind: 'model-gap'; error: Error };

export function backlevel(obj: VersionedObjectInstance, pair: Pair): BacklevelOutcome {
  try {
    const primitive = objToPrimitive(obj, {
      targetVersion: pair.target.version,
      manifest: pair.sendManifest,
      era: pair.sender.era,
    });
    return { kind: 'primitive', primitive };
  } catch (e) {
    if (e instanceof ObjectActionError) return { kind: 'refused', error: e };
    if (e instanceof PythonError) return { kind: 'crash', error: e };
    return { kind: 'model-gap', error: e as Error };
  }
}

export function pythonErrorText(e: Error): string {
  const name = e instanceof PythonError ? e.pythonName : e.name;
  return `${name}: ${e.message}`;
}
