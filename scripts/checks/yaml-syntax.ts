// YAML that parses, and without duplicate keys: YAML allows them and keeps the last, which hides a mistake
// (two `environment:` blocks, a rule pasted twice) that compose and Prometheus would then load silently.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export function yamlProblems(path: string): string[] {
  return parseAllDocuments(readFileSync(path, 'utf8'), { merge: true, uniqueKeys: true }).flatMap((doc) => doc.errors.map((e) => e.message));
}
