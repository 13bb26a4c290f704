// A throwaway folder tree for the check tests: `tree({ 'a/b.sh': '…' })` writes the files and returns the root.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tree(files: Record<string, string>, executables: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'pressroom-check-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const path of executables) chmodSync(join(root, path), 0o755);
  return root;
}
