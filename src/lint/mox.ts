/**
 * Mox record-mode expectations look like calls (`session.call_plugin('kernel', 'fn', args)
 * .AndReturn('k')`, or with `mox.IgnoreArg()` arguments) but call nothing: they record what the code
 * under test will call. Rules that flag calls skip them; the code under test is what gets reported.
 */
import type { PyNode } from '../python/parser.js';

const MOX_CHAIN = new Set(['AndReturn', 'AndRaise', 'WithSideEffects', 'MultipleTimes', 'InAnyOrder']);

export function isMoxRecording(call: PyNode): boolean {
  const parent = call.parent;
  if (parent?.type === 'attribute' && parent.childForFieldName('object')?.id === call.id) {
    if (MOX_CHAIN.has(parent.childForFieldName('attribute')?.text ?? '')) return true;
  }
  const args = call.childForFieldName('arguments');
  for (const a of args?.namedChildren ?? []) {
    const v = a?.type === 'keyword_argument' ? a.childForFieldName('value') : a;
    if (v?.type === 'call' && /^mox\.[A-Z]/.test(v.childForFieldName('function')?.text ?? '')) return true;
  }
  return false;
}
