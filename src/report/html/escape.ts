/**
 * HTML escaping and the small string helpers every section uses. Every piece of text that reaches
 * the report (messages, paths, source lines, diffs, object names) goes through `esc`; attribute
 * values through `attr`; element ids through `anchorId`, which keeps them unique and valid.
 */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for element content and (quoted) attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** `name="value"` with the value escaped; omitted when the value is undefined. */
export function attr(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : ` ${name}="${esc(value)}"`;
}

/** A valid, readable id fragment: `Instance 1.13` -> `instance-1-13`. */
export function slug(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'x'
  );
}

/** Hands out ids unique within one document. */
export class IdAllocator {
  private readonly used = new Map<string, number>();

  next(prefix: string, label: string): string {
    const base = `${prefix}-${slug(label)}`;
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}-${n + 1}`;
  }
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** A percentage with no decimals (0 when the whole is 0). */
export function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part / whole) * 100);
}
