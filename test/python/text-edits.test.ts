import { describe, expect, it } from 'vitest';
import { applyEdits, EditConflictError, EditRangeError, EditSet } from '../../src/python/text-edits.js';

describe('text edits', () => {
  const src = 'a = 1  # keep\r\nb = "é😀"\n\tc = 3\n';

  it('keeps every byte outside the edited spans', () => {
    const edits = new EditSet(src);
    const b = src.indexOf('b');
    edits
      .replace(b, b + 1, 'bee')
      .insert(0, '# head\n')
      .delete(src.indexOf('\tc'), src.length);
    const out = edits.apply();
    expect(out).toBe('# head\na = 1  # keep\r\nbee = "é😀"\n');
  });

  it('rejects overlapping edits instead of merging them', () => {
    const edits = new EditSet(src);
    edits.replace(0, 5, 'x', 'first').replace(4, 8, 'y', 'second');
    expect(() => edits.apply()).toThrow(EditConflictError);
    expect(() => edits.checkConflicts()).toThrow(
      /overlapping edits: \[0,5\) \(first\) and \[4,8\) \(second\)/,
    );
  });

  it('rejects two insertions at one point but allows an insertion at a range boundary', () => {
    expect(() =>
      applyEdits(src, [
        { start: 3, end: 3, text: 'x' },
        { start: 3, end: 3, text: 'y' },
      ]),
    ).toThrow(EditConflictError);
    expect(
      applyEdits('abcdef', [
        { start: 1, end: 3, text: 'X' },
        { start: 3, end: 3, text: 'Y' },
      ]),
    ).toBe('aXYdef');
    expect(() =>
      applyEdits('abc', [
        { start: 0, end: 2, text: '' },
        { start: 1, end: 1, text: 'i' },
      ]),
    ).toThrow(EditConflictError);
  });

  it('rejects edits outside the text', () => {
    expect(() => new EditSet('abc').replace(2, 9, 'x')).toThrow(EditRangeError);
  });

  it('drops no-op replacements', () => {
    const edits = new EditSet('abc').replace(0, 1, 'a').insert(1, '');
    expect(edits.size).toBe(0);
    expect(edits.apply()).toBe('abc');
  });
});
