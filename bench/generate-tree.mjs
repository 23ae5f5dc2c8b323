// Generates a large, deterministic, Nova-shaped Python tree for benchmarks: packages of driver-like
// modules with hacking-ordered imports, classes, methods, dict literals, VirtAPI / conductor calls,
// xenapi client imports and plugin calls, in the proportions of a real virt-driver codebase.
// Usage: node bench/generate-tree.mjs DIR [--mb 25] [--files 1500] [--seed 7]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const WORDS = [
  'instance',
  'host',
  'node',
  'volume',
  'image',
  'network',
  'flavor',
  'aggregate',
  'service',
  'vm',
  'disk',
  'snapshot',
  'migration',
  'console',
  'agent',
  'bdm',
  'port',
  'bridge',
  'vdi',
  'sr',
  'pool',
  'state',
  'power',
  'task',
  'metadata',
  'rule',
  'group',
  'fault',
  'quota',
  'cell',
  'uuid',
  'record',
];
const STDLIB = ['base64', 'collections', 'contextlib', 'functools', 'itertools', 'os', 're', 'time', 'uuid'];
const THIRD = [
  'eventlet',
  'mock',
  'netaddr',
  'six',
  'from oslo_log import log as logging',
  'from oslo_utils import units',
];
const PROJECT = [
  'from nova import exception',
  'from nova import utils',
  'from nova.compute import power_state',
  'from nova.virt import driver',
  'from nova.virt.xenapi.client import session',
  'from nova import conductor',
  'from nova.objects import instance as instance_obj',
];

function pick(r, arr) {
  return arr[Math.floor(r() * arr.length)];
}
function name(r, n = 2) {
  return Array.from({ length: n }, () => pick(r, WORDS)).join('_');
}

function method(r, cls) {
  const m = name(r, 2);
  const lines = [`    def ${m}(self, context, instance, ${name(r, 1)}=None):`];
  lines.push(`        """${cls}.${m}: ${name(r, 3).replace(/_/g, ' ')}."""`);
  const body = 3 + Math.floor(r() * 9);
  for (let i = 0; i < body; i++) {
    const k = r();
    if (k < 0.08) {
      lines.push(`        self._virtapi.instance_update(context, instance['uuid'],`);
      lines.push(
        `                                      {'${name(r, 1)}': ${name(r, 1)}, 'task_state': None})`,
      );
    } else if (k < 0.12) {
      lines.push(
        `        ${name(r, 1)} = self._session.call_plugin_serialized('${name(r, 1)}.py', '${name(r, 2)}', ${name(r, 1)})`,
      );
    } else if (k < 0.3) {
      lines.push(
        `        ${name(r, 2)} = {'${name(r, 1)}': instance['${name(r, 1)}'], '${name(r, 1)}': ${Math.floor(r() * 1000)}}`,
      );
    } else if (k < 0.45) {
      lines.push(`        if instance.get('${name(r, 1)}') and ${name(r, 1)} is not None:`);
      lines.push(`            LOG.debug("%(a)s ${name(r, 3)}", {'a': ${name(r, 1)}}, instance=instance)`);
    } else if (k < 0.6) {
      lines.push(`        for ${name(r, 1)} in self._${name(r, 2)}(context, ${name(r, 1)}):`);
      lines.push(
        `            ${name(r, 1)}.append(utils.${name(r, 2)}(${name(r, 1)}, timeout=${Math.floor(r() * 60)}))`,
      );
    } else if (k < 0.75) {
      lines.push('        try:');
      lines.push(`            ${name(r, 1)} = self._conductor_api.${name(r, 2)}(context, instance['uuid'])`);
      lines.push(
        `        except exception.${name(r, 1).replace(/^./, (c) => c.toUpperCase())}NotFound as e:`,
      );
      lines.push(`            raise exception.NovaException(_("${name(r, 4).replace(/_/g, ' ')}") % e)`);
    } else {
      lines.push(
        `        ${name(r, 1)} = session.XenAPISession.${name(r, 2)}(self._session, [${name(r, 1)}, ${Math.floor(r() * 9)}])`,
      );
    }
  }
  lines.push(`        return ${name(r, 1)}`);
  return lines.join('\n');
}

export function generateModule(r, index, budget = 16000) {
  const out = [
    '# Generated for backlevel benchmarks.',
    `"""Module ${index}: ${name(r, 4).replace(/_/g, ' ')}."""`,
    '',
  ];
  const std = [...new Set(Array.from({ length: 3 }, () => pick(r, STDLIB)))].sort();
  out.push(...std.map((m) => `import ${m}`), '');
  const third = [...new Set(Array.from({ length: 2 }, () => pick(r, THIRD)))];
  out.push(...third.map((m) => (m.startsWith('from') ? m : `import ${m}`)), '');
  const proj = [...new Set(Array.from({ length: 3 }, () => pick(r, PROJECT)))].sort((a, b) =>
    a.localeCompare(b),
  );
  out.push(...proj, '', 'LOG = logging.getLogger(__name__)', '');
  let size = out.join('\n').length;
  for (let c = 0; size < budget; c++) {
    const cls = `${name(r, 2).replace(/(^|_)(.)/g, (_m, _u, ch) => ch.toUpperCase())}${c}`;
    out.push('', `class ${cls}(driver.ComputeDriver):`, `    """${cls}."""`, '');
    out.push('    def __init__(self, virtapi, read_only=False):');
    out.push(`        super(${cls}, self).__init__(virtapi)`);
    out.push('        self._conductor_api = conductor.API()');
    out.push('');
    const methods = 6 + Math.floor(r() * 18);
    for (let m = 0; m < methods && size < budget; m++) {
      const text = method(r, cls);
      size += text.length + 1;
      out.push(text, '');
    }
  }
  return `${out.join('\n')}\n`;
}

export function generateTree(dir, { mb = 25, files = 1500, seed = 7 } = {}) {
  const r = rng(seed);
  const target = mb * 1e6;
  const perFile = target / files;
  let total = 0;
  let count = 0;
  while (count < files) {
    const pkg = join(dir, 'nova', 'virt', `pkg${Math.floor(count / 50)}`);
    mkdirSync(pkg, { recursive: true });
    // Sizes vary around the mean like a real tree's (0.2x to 1.8x).
    const text = generateModule(r, count, perFile * (0.2 + 1.6 * r()));
    writeFileSync(join(pkg, `mod${count}.py`), text);
    if (count % 50 === 0) writeFileSync(join(pkg, '__init__.py'), '');
    total += text.length;
    count++;
  }
  return { files: count, bytes: total };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bench/generate-tree.mjs DIR [--mb 25] [--files 1500] [--seed 7]');
    process.exit(2);
  }
  const arg = (k, d) => {
    const i = process.argv.indexOf(k);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  const res = generateTree(dir, { mb: arg('--mb', 25), files: arg('--files', 1500), seed: arg('--seed', 7) });
  console.log(`generated ${res.files} files, ${(res.bytes / 1e6).toFixed(2)} MB in ${dir}`);
}
