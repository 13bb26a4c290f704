import type { RequestPromise, GotReturn, HandlerFunction, Options, Progress, Request } from 'got';
import { permanentError, type TaskError } from '@pressroom/contracts';

/** What a client reads of one response unless the call or the client says otherwise. */
export const DEFAULT_RESPONSE_MAX_BYTES = 4_000_000;

/** Per-call override, through got's `context`: `client.get(url, { context: responseLimit(n) })`. */
export function responseLimit(maxBytes: number): { maxResponseBytes: number } {
  return { maxResponseBytes: maxBytes };
}

function limitOf(context: Record<string, unknown>, fallback: number): number {
  const value = context['maxResponseBytes'];
  return typeof value === 'number' && value > 0 ? value : fallback;
}

/**
 * A got handler that stops reading a response once its body passes the limit. got counts `downloadProgress`
 * after decompression, so a small gzip or brotli answer that inflates to gigabytes is refused after the
 * limit's worth of output, never buffered whole; error bodies (4xx/5xx) are read through the same limit.
 * The refusal is permanent (`response_too_large`): the same request would get the same answer.
 */
export function responseCap(clientMaxBytes: number): HandlerFunction {
  const handler = (options: Options, next: (options: Options) => GotReturn): GotReturn => {
    const maxBytes = limitOf(options.context, clientMaxBytes);
    let refused: TaskError | undefined;
    const refuse = (progress: Progress): TaskError | undefined => {
      if (refused || progress.transferred <= maxBytes) return undefined;
      const host = options.url instanceof URL ? options.url.host : 'the server';
      refused = permanentError('response_too_large', `${host} answered more than ${maxBytes} bytes (after decompression); the rest was not read`);
      return refused;
    };
    if (options.isStream) {
      const stream = next(options) as Request;
      // Destroying with a TaskError surfaces it as the RequestError's cause, which classifyHttpError reads.
      stream.on('downloadProgress', (progress: Progress) => {
        const err = refuse(progress);
        if (err) stream.destroy(err);
      });
      return stream;
    }
    // The promise API hides its request; aborting through a signal of our own is the public way in.
    const controller = new AbortController();
    options.signal = options.signal ? AbortSignal.any([options.signal as AbortSignal, controller.signal]) : controller.signal;
    const pending = next(options) as RequestPromise;
    pending.on('downloadProgress', (progress: Progress) => {
      if (refuse(progress)) controller.abort();
    });
    return (async () => {
      try {
        const response = await pending;
        if (refused) throw refused;
        return response;
      } catch (err) {
        throw refused ?? err;
      }
    })() as RequestPromise;
  };
  return handler as HandlerFunction;
}
