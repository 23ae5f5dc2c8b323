/**
 * YAML parsing, with the `yaml` package loaded on first use: rule tables are read through a JSON
 * cache (`lint/table-cache.ts`), so a worker thread that only hits the cache never pays for
 * loading the parser (the package is ~70 modules).
 */
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

const require = createRequire(import.meta.url);
let yaml: YamlModule | undefined;

export function parseYaml(text: string): unknown {
  yaml ??= require('yaml') as YamlModule;
  return yaml.parse(text);
}
