/** What every subcommand gets from the global options. */
import type { Command } from 'commander';

export interface GlobalOptions {
  quiet: boolean;
  color: boolean;
  jobs?: number;
  config?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals() as { quiet?: boolean; color?: boolean; jobs?: string; config?: string };
  const jobs = o.jobs !== undefined ? Number.parseInt(o.jobs, 10) : undefined;
  return {
    quiet: o.quiet === true,
    color: o.color !== false && !process.env.NO_COLOR,
    ...(jobs !== undefined && Number.isFinite(jobs) && jobs > 0 ? { jobs } : {}),
    ...(o.config ? { config: o.config } : {}),
  };
}

/** A command module registers itself on the program. */
export type RegisterCommand = (program: Command) => void;
