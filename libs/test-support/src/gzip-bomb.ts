import { gzipSync } from 'node:zlib';

const MEMBER_BYTES = 1 << 20;

/**
 * A gzip body of about 1 KB per MiB that inflates to `inflatedMiB` MiB of zeros: one compressed MiB repeated,
 * since a gzip stream may hold many members (RFC 1952 §2.2) and decoders inflate them one after another.
 * Built in milliseconds, so tests can afford a 300 MiB bomb.
 */
export function gzipBomb(inflatedMiB: number): Buffer {
  const member = gzipSync(Buffer.alloc(MEMBER_BYTES), { level: 9 });
  return Buffer.concat(Array.from({ length: inflatedMiB }, () => member));
}
