/**
 * Worker-thread entry for the pool: loads a task module once per worker, then runs it over a batch
 * of files. Everything a task allocates (tree-sitter trees included) is released per file.
 */
import { type FileTaskInput, type FileTaskModule, processFiles } from './file-task.js';

interface BatchMessage {
  taskModule: string;
  files: FileTaskInput[];
  options: unknown;
}

const loaded = new Map<string, Promise<FileTaskModule<unknown, unknown>>>();

async function load(url: string, options: unknown): Promise<FileTaskModule<unknown, unknown>> {
  let p = loaded.get(url);
  if (!p) {
    p = (async () => {
      const mod = (await import(url)) as FileTaskModule<unknown, unknown>;
      await mod.setup?.(options);
      return mod;
    })();
    loaded.set(url, p);
  }
  return p;
}

export default async function runBatch(msg: BatchMessage): Promise<unknown[]> {
  const mod = await load(msg.taskModule, msg.options);
  return processFiles(mod, msg.files, msg.options);
}
