/** Property tests: the parsers never throw anything but their own syntax errors, on any input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIni } from '../../src/requirements/ini.js';
import { evaluateMarker, MarkerEvaluationError, tryParseMarker } from '../../src/requirements/markers.js';
import {
  parseRequirementsLine,
  splitLogicalLines,
  tryParseRequirement,
} from '../../src/requirements/requirement-line.js';
import { parseRequirementsText } from '../../src/requirements/requirements-file.js';
import { filterVersions, parseSpecifierSet, specifierContains } from '../../src/requirements/specifier.js';

const pieces = [
  'os-xenapi',
  'os_xenapi',
  'XenAPI',
  '[',
  ']',
  ',',
  ';',
  ' ',
  '  ',
  '#',
  '\\',
  '\n',
  '(',
  ')',
  '@',
  '*',
  '>=',
  '<=',
  '==',
  '===',
  '!=',
  '~=',
  '<',
  '>',
  '0',
  '1',
  '.',
  '2',
  'b1',
  'rc',
  '.dev',
  '.post',
  '+',
  '!',
  "'",
  '"',
  'python_version',
  'sys_platform',
  'extra',
  'and',
  'or',
  'not',
  'in',
  '-r',
  '-c',
  '-e',
  '--hash',
  'x.txt',
  'https://',
  'win32',
  '2.7',
  '3.6',
];
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((xs) => xs.join(''));
const anyText = fc.oneof(text, fc.string({ maxLength: 60 }));
const versions = fc.array(
  fc.constantFrom('0.1', '1.0', '1.0b1', '1.0.post1', '1!1.0', '2.0rc1', '1.0+l', 'junk', '1.0.dev0', '2'),
  { maxLength: 6 },
);

describe('robustness', () => {
  it('requirement lines parse or report, never throw', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        for (const logical of splitLogicalLines(t)) {
          const line = parseRequirementsLine(logical.text);
          expect(line.kind).toBeTypeOf('string');
        }
        tryParseRequirement(t);
      }),
      { numRuns: 3000 },
    );
  });

  it('requirements files with includes never throw', () => {
    fc.assert(
      fc.property(anyText, (t) => {
        const r = parseRequirementsText(t, 'x.txt', { reader: (f) => (f === 'x.txt' ? t : undefined) });
        for (const d of r.diagnostics) expect(d.file).toBeTypeOf('string');
      }),
      { numRuns: 1000 },
    );
  });

  it('markers: parse errors are MarkerSyntaxError, evaluation only MarkerEvaluationError', () => {
    fc.assert(
      fc.property(text, (t) => {
        const parsed = tryParseMarker(t);
        if (!parsed.ok) return;
        try {
          evaluateMarker(parsed.marker);
        } catch (error) {
          expect(error).toBeInstanceOf(MarkerEvaluationError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  const specText = fc
    .array(
      fc.tuple(
        fc.constantFrom('>=', '<=', '==', '===', '!=', '~=', '<', '>'),
        fc.constantFrom(
          '1',
          '1.0',
          '1.0b1',
          '1.0.post1',
          '1!1.0',
          '2.0rc1',
          '1.0+l',
          '1.*',
          'junk',
          '1.0.dev0',
        ),
      ),
      { maxLength: 4 },
    )
    .map((clauses) => clauses.map(([op, v]) => op + v).join(','));

  it('specifiers: valid sets evaluate on any version string; filter agrees with contains', () => {
    fc.assert(
      fc.property(specText, versions, (t, vs) => {
        const parsed = parseSpecifierSet(t);
        if (!parsed.ok) return;
        const all = filterVersions(parsed.clauses, vs, { prereleases: true });
        expect(all).toEqual(vs.filter((v) => specifierContains(parsed.clauses, v, { prereleases: true })));
        const finals = filterVersions(parsed.clauses, vs, { prereleases: false });
        for (const v of finals) expect(all).toContain(v);
      }),
      { numRuns: 3000 },
    );
  });

  it('specifiers: random text never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(text, specText),
        versions,
        fc.constantFrom(undefined, true, false),
        (t, vs, prereleases) => {
          const parsed = parseSpecifierSet(t);
          if (!parsed.ok) return;
          const options = prereleases === undefined ? {} : { prereleases };
          const kept = filterVersions(parsed.clauses, vs, options);
          for (const v of kept) expect(vs).toContain(v);
          for (const v of vs) specifierContains(parsed.clauses, v, options);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('ini never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (t) => {
        parseIni(t);
      }),
    );
  });
});
