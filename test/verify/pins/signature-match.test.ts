import { describe, expect, it } from 'vitest';
import { bindCall, type CallShape } from '../../../src/verify/pins/signature-match.js';
import type { ParamInfo } from '../../../src/xenapi/module-api.js';

const p = (name: string, def?: string, kind: ParamInfo['kind'] = 'positional'): ParamInfo =>
  def === undefined ? { name, kind } : { name, kind, default: def };
const call = (
  positional: number,
  keywords: string[] = [],
  starArgs = false,
  starKwargs = false,
): CallShape => ({
  positional,
  keywords,
  starArgs,
  starKwargs,
});

describe('bindCall (Python binding rules)', () => {
  const streamOld = ['context', 'session', 'instance', 'host_url', 'data'].map((n) => p(n));
  const streamNew = ['context', 'session', 'instance', 'host_url', 'sr_ref', 'data'].map((n) => p(n));
  it('os-xenapi 0.3.3 inserted sr_ref into stream_to_vdis', () => {
    expect(bindCall(streamOld, call(6)).ok).toBe(false);
    expect(bindCall(streamNew, call(6)).ok).toBe(true);
    expect(bindCall(streamNew, call(5))).toEqual({ ok: false, reason: "misses required argument 'data'" });
    expect(bindCall(streamOld, call(5)).ok).toBe(true);
  });
  it('0.1.1 removed http_connection(session)', () => {
    expect(bindCall([p('session')], call(0)).ok).toBe(false);
    expect(bindCall([], call(0)).ok).toBe(true);
    expect(bindCall([], call(1)).ok).toBe(false);
    // Called through the class with the instance first.
    expect(bindCall([], call(1), true).ok).toBe(true);
  });
  it('keywords: known, unknown, duplicated, **kwargs catches the rest', () => {
    const session = [p('url'), p('user'), p('pw'), p('originator', '"os-xenapi"'), p('timeout', '10')];
    expect(bindCall(session, call(3, ['originator'])).ok).toBe(true);
    expect(bindCall(session, call(3, ['origin']))).toEqual({
      ok: false,
      reason: "has no parameter 'origin'",
    });
    expect(bindCall(session, call(4, ['originator'])).ok).toBe(false);
    expect(bindCall([p('a'), p('kw', undefined, 'var-keyword')], call(1, ['anything'])).ok).toBe(true);
    expect(bindCall([p('a'), p('k', undefined, 'keyword-only')], call(1)).ok).toBe(false);
    expect(bindCall([p('a'), p('k', undefined, 'keyword-only')], call(1, ['k'])).ok).toBe(true);
  });
  it('*args / **kwargs at the call site: only certain failures count', () => {
    expect(bindCall(streamNew, call(2, [], true)).ok).toBe(true);
    expect(bindCall(streamNew, call(0, [], false, true)).ok).toBe(true);
    expect(bindCall([p('a')], call(2, [], true)).ok).toBe(false);
    expect(bindCall([p('a'), p('rest', undefined, 'var-positional')], call(5)).ok).toBe(true);
  });
});
