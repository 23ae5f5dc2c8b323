/** Glob matching for scope settings (`nova/virt/**`), with picomatch (the matcher globby uses). */
import picomatch from 'picomatch';

const cache = new Map<string, (p: string) => boolean>();

function matcher(glob: string): (p: string) => boolean {
  let m = cache.get(glob);
  if (!m) {
    m = picomatch(glob, { dot: true });
    cache.set(glob, m);
  }
  return m;
}

export function isMatch(relPath: string, glob: string): boolean {
  const p = relPath.replace(/\\/g, '/');
  return matcher(glob)(p) || (glob.endsWith('/**') && p === glob.slice(0, -3));
}

export function matchesAnyGlob(relPath: string, globs: readonly string[]): boolean {
  return globs.some((g) => isMatch(relPath, g));
}
