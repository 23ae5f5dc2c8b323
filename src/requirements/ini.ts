/**
 * A small INI reader with the parts of Python's `configparser` that setup.cfg relies on:
 * `[section]` headers, `key = value` / `key: value`, keys lower-cased, multi-line values continued on
 * indented lines, full-line `#` / `;` comments (also inside multi-line values), no inline comments.
 * Every value line keeps its 1-based line number so errors can point at the file line.
 */

export interface IniValueLine {
  readonly text: string;
  readonly line: number;
}

export interface IniEntry {
  /** Lower-cased key. */
  readonly key: string;
  /** The value with lines joined by `\n`, as configparser returns it (first line may be empty). */
  readonly value: string;
  /** Line of the `key =` line. */
  readonly line: number;
  /** Non-empty value lines with their line numbers, trimmed. */
  readonly lines: readonly IniValueLine[];
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: Map<string, IniEntry>;
}

export interface IniProblem {
  readonly line: number;
  readonly message: string;
}

export interface IniDocument {
  readonly sections: Map<string, IniSection>;
  readonly problems: readonly IniProblem[];
}

interface MutableEntry {
  key: string;
  line: number;
  indent: number;
  parts: IniValueLine[];
}

export function parseIni(text: string): IniDocument {
  const sections = new Map<string, IniSection>();
  const problems: IniProblem[] = [];
  let section: IniSection | null = null;
  let entry: MutableEntry | null = null;

  const finish = () => {
    if (!entry || !section) return;
    const parts = [...entry.parts];
    while (parts.length > 1 && parts[parts.length - 1]!.text === '') parts.pop();
    section.entries.set(entry.key, {
      key: entry.key,
      value: parts.map((p) => p.text).join('\n'),
      line: entry.line,
      lines: parts.filter((p) => p.text !== ''),
    });
    entry = null;
  };

  text.split(/\r\n|\n|\r/).forEach((raw, index) => {
    const line = index + 1;
    const stripped = raw.trim();
    const indent = raw.length - raw.trimStart().length;
    if (/^[#;]/.test(stripped)) return;
    if (entry && stripped === '') {
      entry.parts.push({ text: '', line });
      return;
    }
    if (entry && indent > entry.indent && stripped !== '') {
      entry.parts.push({ text: stripped, line });
      return;
    }
    if (stripped === '') return;
    finish();
    const header = /^\[([^\]]+)\]\s*$/.exec(stripped);
    if (header && indent === 0) {
      const name = header[1]!.trim();
      if (sections.has(name)) problems.push({ line, message: `duplicate section [${name}]` });
      section = { name, line, entries: sections.get(name)?.entries ?? new Map() };
      sections.set(name, section);
      return;
    }
    if (!section) {
      problems.push({ line, message: 'line outside any [section]' });
      return;
    }
    const delim = /[=:]/.exec(raw);
    if (!delim) {
      problems.push({ line, message: `expected 'key = value' in [${section.name}]` });
      return;
    }
    const key = raw.slice(0, delim.index).trim().toLowerCase();
    if (key === '') {
      problems.push({ line, message: `empty key in [${section.name}]` });
      return;
    }
    if (section.entries.has(key))
      problems.push({ line, message: `duplicate key '${key}' in [${section.name}]` });
    entry = { key, line, indent, parts: [{ text: raw.slice(delim.index + 1).trim(), line }] };
  });
  finish();
  return { sections, problems };
}

export function iniGet(doc: IniDocument, section: string, key: string): IniEntry | undefined {
  return doc.sections.get(section)?.entries.get(key.toLowerCase());
}
