/**
 * How a file names versioned-object classes, and the imports that make a new name available:
 * `from nova import objects` + `objects.Instance` (Juno on), or one alias per object module,
 * `from nova.objects import instance as instance_obj` + `instance_obj.Instance` (Havana/Icehouse).
 * New imports are placed at their hacking position (H306) in the project group; several new
 * imports at one point are merged into one edit.
 */
import { planImportInsertion, readImportBlock } from '../python/import-block.js';
import type { PyFile } from '../python/source-file.js';
import type { TextEdit } from '../python/text-edits.js';
import type { NovaObjectsInfo } from './nova-objects.js';

export type ObjectsImportStyle = 'objects' | 'module';

const MODULE_OVERRIDES: Record<string, string> = {
  BlockDeviceMapping: 'block_device',
  BlockDeviceMappingList: 'block_device',
  InstanceActionEvent: 'instance_action',
  InstanceAction: 'instance_action',
};

/** The nova/objects module defining a class: from the tree scan, else by Nova's naming. */
export function moduleForClass(cls: string, info?: NovaObjectsInfo): string {
  const scanned = info?.classes[cls]?.module;
  if (scanned) return scanned;
  if (MODULE_OVERRIDES[cls]) return MODULE_OVERRIDES[cls]!;
  const base = cls.endsWith('List') ? cls.slice(0, -4) : cls;
  return base.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The style a file already uses, when it uses one. */
export function detectFileStyle(py: PyFile): ObjectsImportStyle | undefined {
  const imports = py.bindings.imports.filter((b) => b.topLevel);
  if (imports.some((b) => b.target === 'nova.objects' && b.local === 'objects')) return 'objects';
  if (
    imports.some(
      (b) => b.target.startsWith('nova.objects.') && b.form === 'from-as' && b.module === 'nova.objects',
    )
  ) {
    return 'module';
  }
  return undefined;
}

export class ObjectsImports {
  private readonly wanted = new Map<string, string>();

  constructor(
    private readonly py: PyFile,
    readonly style: ObjectsImportStyle,
    private readonly info: NovaObjectsInfo | undefined,
    private readonly projectPackages: readonly string[],
  ) {}

  /** Whether the local name `objects` is free or already `nova.objects` at module level. */
  static objectsNameUsable(py: PyFile): boolean {
    const sites = py.bindings.sitesIn(py.root, 'objects');
    return sites.every((s) => s.kind === 'import' && s.import?.target === 'nova.objects');
  }

  /** The expression prefix for a class (`objects`, `instance_obj`), registering the import. */
  prefixFor(cls: string): string {
    if (this.style === 'objects') {
      const has = this.py.bindings.imports.some(
        (b) => b.topLevel && b.local === 'objects' && b.target === 'nova.objects',
      );
      if (!has) this.wanted.set('from nova import objects', 'objects');
      return 'objects';
    }
    const module = moduleForClass(cls, this.info);
    const existing = this.py.bindings.imports.find(
      (b) => b.topLevel && b.target === `nova.objects.${module}`,
    );
    if (existing) return existing.local;
    const alias = `${module}_obj`;
    this.wanted.set(`from nova.objects import ${module} as ${alias}`, alias);
    return alias;
  }

  /** Insertion edits for the imports `prefixFor` asked for, one edit per insertion point. */
  edits(): TextEdit[] {
    if (this.wanted.size === 0) return [];
    const block = readImportBlock(this.py, { projectPackages: this.projectPackages });
    const byPoint = new Map<number, { text: string[]; edit: TextEdit }>();
    for (const stmt of [...this.wanted.keys()].sort()) {
      const ins = planImportInsertion(this.py, stmt, { projectPackages: this.projectPackages, block });
      const hit = byPoint.get(ins.edit.start);
      if (hit) hit.text.push(stmt);
      else byPoint.set(ins.edit.start, { text: [stmt], edit: ins.edit });
    }
    const nl = this.py.newline;
    const out: TextEdit[] = [];
    for (const { text, edit } of byPoint.values()) {
      if (text.length === 1) out.push(edit);
      else {
        // Same point: the first planned text carries the group's blank-line framing; splice the rest in.
        const first = text[0]!;
        out.push({ ...edit, text: edit.text.replace(first + nl, text.join(nl) + nl) });
      }
    }
    return out;
  }
}
