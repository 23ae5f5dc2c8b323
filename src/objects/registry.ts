/**
 * The object registry: `VersionedObjectRegistry._obj_classes` with `obj_class_from_name` and
 * `obj_tree_get_versions`. Classes per name are kept newest first; registering a version that is
 * already present replaces it.
 *
 * A registry can hold a whole history (every version of every object) or, through `view()`, only
 * what one peer has registered: that is what a receiving service resolves wire versions against.
 */
import { IncompatibleObjectVersion, UnregisteredSubobject, UnsupportedObjectError } from './errors.js';
import { type ObjectVersionDef, objectFieldTarget, type VersionManifest } from './model.js';
import { compareVersions, isCompatible } from './versions.js';

export interface ClassLookupOptions {
  /** Nova's own IncompatibleObjectVersion (before OVO) had no ", supported version is". */
  includeSupportedInMessage?: boolean;
}

export class ObjectRegistry {
  private readonly classes = new Map<string, ObjectVersionDef[]>();

  constructor(defs: Iterable<ObjectVersionDef> = []) {
    for (const def of defs) this.register(def);
  }

  /** `_register_class`: same VERSION replaces, otherwise inserted newest first. */
  register(def: ObjectVersionDef): void {
    const list = this.classes.get(def.name) ?? [];
    const same = list.findIndex((d) => d.version === def.version);
    if (same >= 0) {
      list[same] = def;
    } else {
      const before = list.findIndex((d) => compareVersions(def.version, d.version) > 0);
      if (before >= 0) list.splice(before, 0, def);
      else list.push(def);
    }
    this.classes.set(def.name, list);
  }

  has(name: string): boolean {
    return (this.classes.get(name)?.length ?? 0) > 0;
  }

  names(): string[] {
    return [...this.classes.keys()].sort();
  }

  /** Registered classes of a name, newest first. */
  classesFor(name: string): readonly ObjectVersionDef[] {
    return this.classes.get(name) ?? [];
  }

  versionsOf(name: string): string[] {
    return this.classesFor(name).map((d) => d.version);
  }

  latest(name: string): ObjectVersionDef | undefined {
    return this.classesFor(name)[0];
  }

  /** Exact version lookup (no compatibility rule). */
  get(name: string, version: string): ObjectVersionDef | undefined {
    return this.classesFor(name).find((d) => d.version === version);
  }

  /** Like get() but throws a plain error naming what is missing. */
  require(name: string, version: string): ObjectVersionDef {
    const def = this.get(name, version);
    if (!def) throw new Error(`object ${name} ${version} is not registered`);
    return def;
  }

  all(): ObjectVersionDef[] {
    return [...this.classes.values()].flat();
  }

  /**
   * `obj_class_from_name(objname, objver)`: exact VERSION match first, else the newest class
   * for which `is_compatible(objver, cls.VERSION)`, else IncompatibleObjectVersion naming the
   * newest registered version. An unregistered name is UnsupportedObjectError.
   */
  objClassFromName(name: string, version: string, opts: ClassLookupOptions = {}): ObjectVersionDef {
    const list = this.classesFor(name);
    if (list.length === 0) throw new UnsupportedObjectError(name);
    let compatible: ObjectVersionDef | undefined;
    for (const def of list) {
      if (def.version === version) return def;
      if (!compatible && isCompatible(version, def.version)) compatible = def;
    }
    if (compatible) return compatible;
    throw new IncompatibleObjectVersion(
      name,
      version,
      (list[0] as ObjectVersionDef).version,
      opts.includeSupportedInMessage ?? true,
    );
  }

  /**
   * `obj_tree_get_versions(name)`: {objname: newest VERSION} over ObjectField and
   * ListOfObjectsField children, recursively. A child name that is not registered raises
   * UnregisteredSubobject.
   */
  objTreeGetVersions(name: string, tree: VersionManifest = {}): VersionManifest {
    if (Object.hasOwn(tree, name)) return tree;
    const def = this.latest(name);
    if (!def) throw new UnsupportedObjectError(name);
    tree[name] = def.version;
    for (const field of Object.values(def.fields)) {
      const target = objectFieldTarget(field.type);
      if (!target) continue;
      if (!this.has(target.objName)) throw new UnregisteredSubobject(target.objName, name);
      this.objTreeGetVersions(target.objName, tree);
    }
    return tree;
  }

  /**
   * A registry holding, for each name in `manifest`, only that version: what a peer running a
   * release with those versions has registered. Names not in this registry are skipped.
   */
  view(manifest: VersionManifest): ObjectRegistry {
    const out = new ObjectRegistry();
    for (const [name, version] of Object.entries(manifest)) {
      const def = this.get(name, version);
      if (def) out.register(def);
    }
    return out;
  }

  /** Registered names whose (newest) class has `name` in its mro: targets of `subclasses=True`. */
  subclassNamesOf(name: string): string[] {
    const out = new Set<string>();
    if (this.has(name)) out.add(name);
    for (const [n, list] of this.classes) {
      if (list.some((d) => d.mroNames?.includes(name))) out.add(n);
    }
    return [...out].sort();
  }
}
