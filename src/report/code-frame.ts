/** A code frame: the finding's lines with a gutter, one line of context each side, and a caret line. */
import type pc from 'picocolors';

type Colors = ReturnType<typeof pc.createColors>;

export function codeFrame(
  source: string,
  loc: { line: number; column: number; endLine: number; endColumn: number },
  c: Colors,
  context = 1,
): string {
  const lines = source.split(/\r?\n/);
  const first = Math.max(1, loc.line - context);
  const lastMarked = Math.min(lines.length, loc.endLine, loc.line + 4);
  const last = Math.min(lines.length, lastMarked + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').replace(/\t/g, '    ');
    const marked = n >= loc.line && n <= lastMarked;
    const gutter = `${marked ? c.red('>') : ' '} ${String(n).padStart(width)} |`;
    out.push(`${c.dim(gutter)}${text ? ` ${text}` : ''}`);
    if (marked) {
      const start = n === loc.line ? loc.column : firstNonSpace(text);
      const end = n === loc.endLine ? loc.endColumn : text.length + 1;
      const len = Math.max(1, end - start);
      out.push(
        `${c.dim(`  ${' '.repeat(width)} |`)} ${' '.repeat(Math.max(0, start - 1))}${c.red('^'.repeat(len))}`,
      );
    }
  }
  return out.join('\n');
}

function firstNonSpace(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}
