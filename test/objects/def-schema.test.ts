import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OBJECT_VERSION_DEF_SCHEMA, parseObjectVersionDefs } from '../../src/objects/def-schema.js';
import { def, field, int, listDef, obj } from './helpers.js';

const SCHEMA_FILE = new URL('../../schemas/objects-version-def.schema.json', import.meta.url);

describe('object version definition schema', () => {
  it('is published unchanged in schemas/', () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(OBJECT_VERSION_DEF_SCHEMA);
  });
  it('accepts definitions built with the model helpers, in a list or alone', () => {
    const defs = [
      def(
        'A',
        '1.2',
        { x: field(int, { default: { kind: 'value', value: 1 } }), k: field(obj('B')) },
        'nova-kilo',
        {
          relationships: { k: [['1.1', '1.0']] },
          makeCompatible: [
            { kind: 'drop-field', field: 'x', belowVersion: '1.2' },
            { kind: 'super' },
            { kind: 'convert-field', field: 'x', belowVersion: '1.1', how: { op: 'set-constant', value: 0 } },
          ],
        },
      ),
      listDef('BList', '1.0', 'B', 'nova-2014', { childVersions: [['1.0', '1.0']] }),
    ];
    expect(parseObjectVersionDefs(JSON.parse(JSON.stringify(defs)), 'defs.json')).toHaveLength(2);
    expect(parseObjectVersionDefs(defs[0], 'one.json')[0]?.name).toBe('A');
  });
  it('names the source, index and pointer of a bad definition', () => {
    const bad = { ...def('A', '1.0', { x: field(int) }, 'ovo-manifest'), era: 'nova-1999' };
    expect(() => parseObjectVersionDefs([def('Ok', '1.0', {}, 'ovo-manifest'), bad], 'defs.json')).toThrow(
      /^defs\.json\[1\]: not an object version definition: \/era/,
    );
    const badType = def(
      'A',
      '1.0',
      { x: { type: { kind: 'Integr' } as never, nullable: false } },
      'ovo-manifest',
    );
    expect(() => parseObjectVersionDefs(badType, 'one.json')).toThrow(/one\.json: .*\/fields\/x\/type/);
    expect(() => parseObjectVersionDefs({ ...badType, version: 'one' }, 'v.json')).toThrow(/\/version/);
  });
});
