/** backlevel's documented exit codes (README "Exit codes"). */
export const ExitCode = {
  /** Nothing to report at or above the failure threshold. */
  Clean: 0,
  /** Findings at or above the failure threshold. */
  Findings: 1,
  /** Bad command line, invalid config or rules, unusable input named in the message. */
  UsageOrConfig: 2,
  /** A bug in backlevel: please report it with the message. */
  Internal: 3,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
