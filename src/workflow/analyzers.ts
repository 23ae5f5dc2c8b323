/**
 * The gate's seam to `verify objects`: the object checks (version-bump against the release history,
 * make-compatible coverage, relationships, backlevel-accepted for the supported releases) for the
 * objects a change touches.
 *
 * src/verify/objects exports no gate entry point yet. When it does, switch this seam with a static
 * import and nothing else changes:
 *
 *   import { gateObjects } from '../verify/objects/gate.js';
 *   export const objectVerifier: ObjectVerifier | undefined = gateObjects;
 *
 * Until then the gate runs its own narrower object checks alone and says so in the report.
 */
import type { Project } from '../engine/project.js';
import type { Finding } from '../report/finding.js';

/** `verify objects` restricted to the named objects (`obj_name()`s) of the project's tree. */
export type ObjectVerifier = (project: Project, objects: readonly string[]) => Promise<Finding[]>;

export const objectVerifier: ObjectVerifier | undefined = undefined;
