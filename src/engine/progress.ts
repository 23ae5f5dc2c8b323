/**
 * A progress bar on stderr for long runs: shown only on a terminal, for runs over a few hundred
 * files, and never with --quiet. Otherwise every call is a no-op.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  tick(done: number, total: number, label?: string): void;
  stop(): void;
}

export const PROGRESS_MIN_FILES = 200;

export function createProgress(total: number, opts: { quiet?: boolean; title?: string } = {}): Progress {
  const show = !opts.quiet && process.stderr.isTTY === true && total >= PROGRESS_MIN_FILES && !process.env.CI;
  if (!show) return { tick() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${opts.title ?? 'backlevel'} [{bar}] {value}/{total} files | {duration_formatted} | {label}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { label: '' });
  return {
    tick(done, _total, label) {
      bar.update(done, { label: label ?? '' });
    },
    stop() {
      bar.stop();
    },
  };
}
