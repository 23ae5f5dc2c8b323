import { describe, expect, it } from 'vitest';
import {
  fieldsNamedIn,
  parseVersionComments,
  reconstructFieldSets,
} from '../../src/history/version-comments.js';

describe('version-history comments', () => {
  it('parses heads, continuation lines and the short `# 1.5:` form', () => {
    const lines = [
      '    # Version 1.0: Initial version',
      '    # Version 1.1: Added expected_vm_state and admin_state_reset to',
      '    #              save()',
      '    # 1.2: Added locked_by',
      '    # NOTE(x): unrelated',
    ].map((text, i) => ({ line: 10 + i, text }));
    // the NOTE line continues 1.2: comments give no structure beyond adjacency
    expect(parseVersionComments(lines.slice(0, 4))).toEqual([
      { version: '1.0', text: 'Initial version', line: 10 },
      { version: '1.1', text: 'Added expected_vm_state and admin_state_reset to save()', line: 11 },
      { version: '1.2', text: 'Added locked_by', line: 13 },
    ]);
  });

  it('attributes names to added and removed clauses, only for known fields', () => {
    expect(
      fieldsNamedIn('Added torque, pitch and arch; removed legacy', [
        'torque',
        'pitch',
        'arch',
        'legacy',
        'name',
      ]),
    ).toEqual({
      added: ['torque', 'pitch', 'arch'],
      removed: ['legacy'],
    });
    expect(fieldsNamedIn('Cog version 1.1', ['cog'])).toEqual({ added: [], removed: [] });
  });

  it('reconstructs field sets backwards from the current fields', () => {
    const comments = [
      { version: '1.0', text: 'Initial version', line: 1 },
      { version: '1.1', text: 'Added cog', line: 2 },
      { version: '1.2', text: 'Added arch and torque, pitch', line: 3 },
      { version: '1.3', text: 'Cog version 1.1', line: 4 },
    ];
    const out = reconstructFieldSets('1.3', ['id', 'name', 'arch', 'torque', 'pitch', 'cog'], comments);
    expect(out).toEqual([
      { version: '1.0', fields: ['id', 'name'], certain: true },
      { version: '1.1', fields: ['id', 'name', 'cog'], certain: true },
      { version: '1.2', fields: ['id', 'name', 'arch', 'torque', 'pitch', 'cog'], certain: true },
      { version: '1.3', fields: ['id', 'name', 'arch', 'torque', 'pitch', 'cog'], certain: false },
    ]);
  });
});
