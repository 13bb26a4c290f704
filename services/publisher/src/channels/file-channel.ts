import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { permanentError, transientError } from '@pressroom/contracts';
import { renderMarkdownFile } from '../render/front-matter.ts';
import type { PublishChannel } from './channel.ts';

/** `<repo>/var/published`, found from this file rather than the working directory, so every start agrees. */
const DEFAULT_PUBLISH_DIR = resolve(import.meta.dirname, '../../../../var/published');

// Errors that another attempt cannot fix: the folder is misconfigured, not briefly unavailable.
const PERMANENT = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR']);

/**
 * Writes `<request_id>.md` (request ids are validated UUIDs, so safe as file names). The file is written to a
 * temporary name, flushed, then renamed: readers see the whole article or nothing, never a torn file.
 */
export function createFileChannel(opts: { dir?: string | undefined }): PublishChannel {
  const dir = resolve(opts.dir ?? DEFAULT_PUBLISH_DIR);
  return {
    async publish(input) {
      const target = join(dir, `${input.request_id}.md`);
      const temp = join(dir, `.${input.request_id}.${randomUUID()}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        const file = await open(temp, 'wx', 0o644);
        try {
          await file.writeFile(renderMarkdownFile(input), 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (err) {
        await rm(temp, { force: true }).catch(() => undefined);
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const message = `cannot write ${target}: ${(err as Error).message}`;
        throw PERMANENT.has(code)
          ? permanentError('publish_dir_unwritable', message, { cause: err })
          : transientError('publish_write_failed', message, { cause: err });
      }
      return pathToFileURL(target).href;
    },
  };
}
