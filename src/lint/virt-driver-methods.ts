/**
 * `rules/virt-driver-methods.yaml`: the virt driver methods whose instance argument is a versioned
 * Instance object (the 25 of the virt-objects-juno spec plus the other object-receiving driver
 * methods), with the release and RPC version in which the compute manager began passing objects.
 */
import { ConfigError } from '../config/config-file.js';
import { packagePath } from '../config/package-root.js';
import { readYamlTable } from './table-cache.js';

export interface VirtDriverMethod {
  method: string;
  spec: boolean;
  objectParams: string[];
  objectSince?: string;
  rpc?: string;
  via?: 'rpc' | 'object_compat';
  note?: string;
}

export interface VirtDriverMethodTable {
  file: string;
  methods: VirtDriverMethod[];
  get(name: string): VirtDriverMethod | undefined;
  /** The 25 methods of the virt-objects-juno spec, in table order. */
  specMethods(): VirtDriverMethod[];
}

const cache = new Map<string, VirtDriverMethodTable>();

export function loadVirtDriverMethods(
  file: string = packagePath('rules', 'virt-driver-methods.yaml'),
): VirtDriverMethodTable {
  const hit = cache.get(file);
  if (hit) return hit;
  const data = readYamlTable<unknown>(file, 'rules-virt-driver-methods', 'virt driver methods table');
  const raw = data as {
    defaultObjectParams?: string[];
    methods: Omit<VirtDriverMethod, 'objectParams'>[] & { objectParams?: string[] }[];
  };
  const defaults = raw.defaultObjectParams ?? ['instance'];
  const byName = new Map<string, VirtDriverMethod>();
  const methods: VirtDriverMethod[] = [];
  for (const m of raw.methods as (VirtDriverMethod & { objectParams?: string[] })[]) {
    if (byName.has(m.method)) throw new ConfigError(`${file}: duplicate method '${m.method}'`, file);
    const entry: VirtDriverMethod = { ...m, objectParams: m.objectParams ?? defaults };
    byName.set(m.method, entry);
    methods.push(entry);
  }
  const table: VirtDriverMethodTable = {
    file,
    methods,
    get: (name) => byName.get(name),
    specMethods: () => methods.filter((m) => m.spec),
  };
  cache.set(file, table);
  return table;
}
