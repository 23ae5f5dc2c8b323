/**
 * Seams to the verifiers the gate ties in but does not own (`verify objects`). Each
 * is looked up at run time, so the gate builds and runs whether or not the verifier has landed;
 * when one is missing the gate uses its own narrower check and says so in the report.
 *
 * Contract a verifier module exports (any of the names listed per seam):
 *   verify objects: (project: Project, objects: string[]) => Promise<Finding[]>  `gateObjects`
 */
import type { Project } from '../engine/project.js';
import type { Finding } from '../report/finding.js';

type ObjectVerifier = (project: Project, objects: readonly string[]) => Promise<Finding[]>;

const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

async function probe<T>(candidates: readonly string[], names: readonly string[]): Promise<T | undefined> {
  for (const rel of candidates) {
    const url = new URL(`${rel}.${ext}`, import.meta.url).href;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (
        code === 'ERR_MODULE_NOT_FOUND' ||
        /Cannot find module|Failed to load url|does not exist/i.test((err as Error).message)
      )
        continue;
      throw err;
    }
    for (const n of names) if (typeof mod[n] === 'function') return mod[n] as T;
  }
  return undefined;
}

export function loadObjectVerifier(): Promise<ObjectVerifier | undefined> {
  return probe<ObjectVerifier>(
    ['../verify/objects/gate', '../verify/objects/index'],
    ['gateObjects', 'verifyObjectsForGate'],
  );
}
