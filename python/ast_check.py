"""Reads JSON lines {"id": N, "source": "..."} and answers {"id": N, "ok": bool, ...}.

Compiles each source under Python 3 (never runs it): backlevel uses it to confirm that a
rewritten file still compiles. compile() also runs the symbol-table checks (duplicate
arguments, misplaced return/yield) that ast.parse skips.
"""
import json
import sys
import warnings


def main():
    warnings.simplefilter('ignore')
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        out = {'id': req['id'], 'ok': True}
        try:
            compile(req['source'], '<backlevel>', 'exec', dont_inherit=True)
        except SyntaxError as exc:
            out = {'id': req['id'], 'ok': False, 'message': exc.msg,
                   'line': exc.lineno, 'column': exc.offset}
        except (ValueError, RecursionError, MemoryError) as exc:
            out = {'id': req['id'], 'ok': False, 'message': str(exc)}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()


if __name__ == '__main__':
    main()
