/** Placeholder action for a subcommand whose implementation has not landed: says so, exits 2. */
import { UsageError } from '../errors.js';

export function notBuilt(name: string, issue: number): () => never {
  return () => {
    throw new UsageError(`'backlevel ${name}' is not built yet (tracked in issue ${issue})`);
  };
}
