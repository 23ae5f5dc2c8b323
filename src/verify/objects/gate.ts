/**
 * The seam `backlevel gate` calls (src/workflow/analyzers.ts): the object checks that judge a
 * change, run only for the objects the change touched. version-bump, make-compatible-coverage,
 * relationships and backlevel-accepted, against the supported releases of the `verify.objects`
 * config section (all history available when none is configured).
 *
 * The tree may be a git work tree or a sub-directory of one (history from git: the release tags
 * its HEAD contains; without tags, the commits that touched the object directories plus, from the
 * version comments, the versions older than an object's first commit), or a tree with no git at
 * all, such as a distribution package (history from the objects' version comments). Findings carry
 * paths relative to the tree root.
 */
import type { Project } from '../../engine/project.js';
import type { EraName } from '../../objects/eras.js';
import type { Finding } from '../../report/finding.js';
import { loadObjectsHistory } from './history-source.js';
import { runChecks } from './runner.js';
import type { ObjectCheckId } from './types.js';

/** The checks the gate runs, in this order of importance. */
export const GATE_CHECKS: readonly ObjectCheckId[] = [
  'version-bump',
  'make-compatible-coverage',
  'relationships',
  'backlevel-accepted',
];

interface ObjectsSection {
  support?: string;
  objectDirs?: string[];
  era?: EraName;
}

function objectsSection(project: Project): ObjectsSection {
  const verify = (project.config as { verify?: { objects?: ObjectsSection } }).verify;
  return verify?.objects ?? {};
}

export interface GateObjectsOptions {
  /** Overrides the configured support range. */
  support?: string;
  noCache?: boolean;
  cacheDir?: string;
}

/**
 * The gate's object checks for `objectNames` (names as `obj_name()` gives them: `Service`,
 * `InstanceList`). Nothing is checked, and nothing read, when the list is empty.
 */
export async function gateObjects(
  project: Project,
  objectNames: readonly string[],
  options: GateObjectsOptions = {},
): Promise<Finding[]> {
  if (objectNames.length === 0) return [];
  const cfg = objectsSection(project);
  const support = options.support ?? cfg.support;
  const history = await loadObjectsHistory({
    repo: project.root,
    ...(support ? { support } : {}),
    ...(cfg.objectDirs ? { objectDirs: cfg.objectDirs } : {}),
    ...(cfg.era ? { era: cfg.era } : {}),
    ...(options.noCache ? { noCache: true } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    commitsWithoutTags: true,
  });
  const known = objectNames.filter((n) => history.current.defs.has(n));
  if (known.length === 0) return [];
  const result = runChecks(history, { checks: GATE_CHECKS, objects: known, senders: 'current' });
  return result.findings;
}
