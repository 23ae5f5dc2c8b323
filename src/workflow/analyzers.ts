/**
 * The gate's seam to `verify objects`: the object checks (version-bump against the release history,
 * make-compatible coverage, relationships, backlevel-accepted for the supported releases) for the
 * objects a change touches, from src/verify/objects/gate.ts. A static import: the gate and the
 * verifier build and ship together. `runGate({ objectVerifier })` replaces it (tests, or
 * `undefined` to run the gate's own object checks alone).
 */
import type { Project } from '../engine/project.js';
import type { Finding } from '../report/finding.js';
import { gateObjects } from '../verify/objects/gate.js';

/** `verify objects` restricted to the named objects (`obj_name()`s) of the project's tree. */
export type ObjectVerifier = (project: Project, objects: readonly string[]) => Promise<Finding[]>;

export const objectVerifier: ObjectVerifier | undefined = (project, objects) => gateObjects(project, objects);
