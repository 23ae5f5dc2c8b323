/**
 * Does a call bind to a Python signature? Python's own binding rules, applied to what a call site
 * shows statically: how many positional arguments, which keyword names, and whether `*args` /
 * `**kwargs` are spread in (then the counts they could supply are unknown, so only what is certain
 * fails).
 */
import type { ParamInfo } from '../../xenapi/module-api.js';

/** The shape of a call, as far as the source shows it. */
export interface CallShape {
  positional: number;
  keywords: string[];
  /** `f(*args)`: any number of further positional arguments. */
  starArgs: boolean;
  /** `f(**kwargs)`: any further keywords. */
  starKwargs: boolean;
}

export type BindResult = { ok: true } | { ok: false; reason: string };

/**
 * Binds a call to parameters (without `self`). `skipFirst`: the call passes the receiver itself as
 * the first positional argument (an unbound method called through its class).
 */
export function bindCall(params: readonly ParamInfo[], call: CallShape, skipFirst = false): BindResult {
  const positionalParams = params.filter((p) => p.kind === 'positional');
  const keywordOnly = params.filter((p) => p.kind === 'keyword-only');
  const varPositional = params.some((p) => p.kind === 'var-positional');
  const varKeyword = params.some((p) => p.kind === 'var-keyword');
  const given = call.positional - (skipFirst ? 1 : 0);
  if (given < 0) return { ok: true };

  if (given > positionalParams.length && !varPositional) {
    return {
      ok: false,
      reason: `takes ${positionalParams.length} positional argument${positionalParams.length === 1 ? '' : 's'} but ${given} ${given === 1 ? 'is' : 'are'} given`,
    };
  }
  const bound = new Set(positionalParams.slice(0, given).map((p) => p.name));
  for (const kw of call.keywords) {
    const param = params.find((p) => p.name === kw && (p.kind === 'positional' || p.kind === 'keyword-only'));
    if (!param) {
      if (varKeyword) continue;
      return { ok: false, reason: `has no parameter '${kw}'` };
    }
    if (bound.has(kw)) return { ok: false, reason: `gets '${kw}' both by position and by keyword` };
    bound.add(kw);
  }
  if (call.starArgs || call.starKwargs) return { ok: true };
  const missing = [...positionalParams, ...keywordOnly].filter(
    (p) => p.default === undefined && !bound.has(p.name),
  );
  if (missing.length) {
    return {
      ok: false,
      reason: `misses required argument${missing.length === 1 ? '' : 's'} ${missing.map((p) => `'${p.name}'`).join(', ')}`,
    };
  }
  return { ok: true };
}

export function describeCall(call: CallShape): string {
  const parts: string[] = [];
  parts.push(`${call.positional} positional`);
  if (call.keywords.length) parts.push(`keywords ${call.keywords.join(', ')}`);
  if (call.starArgs) parts.push('*args');
  if (call.starKwargs) parts.push('**kwargs');
  return parts.join(', ');
}
