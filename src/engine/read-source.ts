/**
 * Reads a source file for analysis, refusing what must not be parsed: binary files (a NUL byte),
 * files that are not valid UTF-8, and files over the size limit. Each refusal names the file and
 * the reason; nothing else in the run is lost.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';

export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export type SkipReason = 'binary' | 'non-utf8' | 'too-large' | 'unreadable' | 'not-a-file';

export type SourceRead =
  | { ok: true; path: string; text: string; bytes: number }
  | { ok: false; path: string; reason: SkipReason; message: string };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeSource(path: string, buf: Uint8Array): SourceRead {
  const probe = buf.subarray(0, Math.min(buf.length, 8192));
  if (probe.includes(0))
    return { ok: false, path, reason: 'binary', message: `${path}: binary file (NUL byte), skipped` };
  try {
    return { ok: true, path, text: decoder.decode(buf), bytes: buf.length };
  } catch {
    const at = firstInvalidUtf8(buf);
    return {
      ok: false,
      path,
      reason: 'non-utf8',
      message: `${path}: not valid UTF-8 (first bad byte at offset ${at}), skipped`,
    };
  }
}

/**
 * Reads synchronously: a stat and a read of a small file cost far less as two syscalls than as two
 * round trips through libuv's thread pool, and every caller reads files one after another anyway
 * (the main thread's pre-pass, or a worker thread that has nothing else to do meanwhile).
 */
export function readSourceSync(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): SourceRead {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!st.isFile())
      return { ok: false, path, reason: 'not-a-file', message: `${path}: not a regular file, skipped` };
    if (st.size > maxBytes) {
      return {
        ok: false,
        path,
        reason: 'too-large',
        message: `${path}: ${st.size} bytes is over the ${maxBytes}-byte limit (--max-file-size), skipped`,
      };
    }
    return decodeSource(path, readFileSync(fd));
  } catch (err) {
    return { ok: false, path, reason: 'unreadable', message: `${path}: ${(err as Error).message}` };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export async function readSource(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<SourceRead> {
  return readSourceSync(path, maxBytes);
}

function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >> 5 === 0x6 ? 2 : b >> 4 === 0xe ? 3 : b >> 3 === 0x1e ? 4 : 0;
    if (len === 0) return i;
    for (let k = 1; k < len; k++) if (i + k >= buf.length || buf[i + k]! >> 6 !== 0x2) return i;
    i += len;
  }
  return i;
}
