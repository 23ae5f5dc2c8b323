/**
 * A strict little HTML reader for the structure tests: builds an element tree and throws on
 * anything a well-formed report must not have (a close tag that does not match the open one, an
 * unclosed element, a raw `<` or `&` in text that is not an entity, a duplicate id).
 */

export interface El {
  tag: string;
  attrs: Record<string, string>;
  children: (El | string)[];
  parent?: El;
}

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'col', 'area', 'base', 'source', 'wbr']);
const RAW = new Set(['script', 'style']);
/** SVG children that may self-close (`<rect ... />`). */
const ENTITY = /&(?:[a-z]+|#\d+|#x[0-9a-f]+);/gi;

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

export function parseHtml(html: string): El {
  const root: El = { tag: '#root', attrs: {}, children: [] };
  let cur = root;
  const ids = new Set<string>();
  let i = html.startsWith('<!DOCTYPE html>') ? '<!DOCTYPE html>'.length : 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const text = html.slice(i, lt < 0 ? html.length : lt);
    if (text) {
      const stray = text.replace(ENTITY, '');
      if (stray.includes('&') || stray.includes('>'))
        throw new Error(`unescaped character in text near: ${JSON.stringify(text.slice(0, 80))}`);
      cur.children.push(decode(text));
    }
    if (lt < 0) break;
    const gt = html.indexOf('>', lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const raw = html.slice(lt + 1, gt);
    if (raw.startsWith('/')) {
      const tag = raw.slice(1).trim().toLowerCase();
      if (cur.tag !== tag) throw new Error(`</${tag}> closes <${cur.tag}> at offset ${lt}`);
      cur = cur.parent ?? root;
      i = gt + 1;
      continue;
    }
    const m = /^([a-zA-Z][\w-]*)([\s\S]*?)(\/?)$/.exec(raw);
    if (!m) throw new Error(`bad tag <${raw.slice(0, 40)}> at ${lt}`);
    const tag = m[1]!.toLowerCase();
    const attrs: Record<string, string> = {};
    const attrText = m[2]!;
    for (const a of attrText.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      if ((a[2] ?? '').includes('<')) throw new Error(`'<' in attribute ${a[1]} of <${tag}>`);
      attrs[a[1]!] = decode(a[2] ?? '');
    }
    if (attrs.id !== undefined) {
      if (ids.has(attrs.id)) throw new Error(`duplicate id ${attrs.id}`);
      ids.add(attrs.id);
    }
    const el: El = { tag, attrs, children: [], parent: cur };
    cur.children.push(el);
    i = gt + 1;
    if (VOID.has(tag) || m[3] === '/') continue;
    if (RAW.has(tag)) {
      const end = html.indexOf(`</${tag}>`, i);
      if (end < 0) throw new Error(`unclosed <${tag}>`);
      el.children.push(html.slice(i, end));
      i = end + tag.length + 3;
      continue;
    }
    cur = el;
  }
  if (cur !== root) throw new Error(`unclosed <${cur.tag}>`);
  return root;
}

export function all(el: El, pred: (e: El) => boolean, out: El[] = []): El[] {
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (pred(c)) out.push(c);
    all(c, pred, out);
  }
  return out;
}

export const byTag = (el: El, tag: string) => all(el, (e) => e.tag === tag);
export const byClass = (el: El, cls: string) =>
  all(el, (e) => (e.attrs.class ?? '').split(/\s+/).includes(cls));
export const byId = (el: El, id: string) => all(el, (e) => e.attrs.id === id)[0];

/** Text content; element boundaries read as spaces (`<th>1.0</th><td>x</td>` -> `1.0 x`). */
export function textOf(el: El): string {
  return el.children
    .map((c) => (typeof c === 'string' ? c : RAW.has(c.tag) ? '' : ` ${textOf(c)} `))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

export function ancestor(el: El, tag: string): El | undefined {
  for (let p = el.parent; p; p = p.parent) if (p.tag === tag) return p;
  return undefined;
}
