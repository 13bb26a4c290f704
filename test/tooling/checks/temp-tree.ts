// A throwaway folder tree for the tooling tests: `tree({ 'a/b.sh': '…' })` writes the files and returns the root;
// every tree is removed when the test process exits.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const made: string[] = [];
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export function tree(files: Record<string, string>, executables: string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), 'pressroom-check-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  for (const path of executables) chmodSync(join(root, path), 0o755);
  return root;
}
