import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { permanentError } from '@pressroom/contracts';
import { ipLiteral, isAllowedAddress } from './address-policy.ts';

/** Refuses non-http(s) URLs and IP literals in forbidden ranges before any connection is made. */
export function assertAllowedUrl(url: URL, allowPrivate: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw permanentError('target_forbidden', `only http(s) targets are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw permanentError('target_forbidden', 'credentials in target URLs are not allowed');
  const literal = ipLiteral(url.hostname);
  if (literal && !isAllowedAddress(literal, allowPrivate)) throw permanentError('target_forbidden', `target address ${literal} is in a forbidden range`);
}

/**
 * A DNS lookup that checks every resolved address and hands the socket only checked ones, so the address
 * that was checked is the address that is connected to (no DNS-rebinding window between check and use).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return ((hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => !isAllowedAddress(a.address, allowPrivate));
      if (bad || list.length === 0) {
        const e = permanentError('target_forbidden', `${hostname} resolves to a forbidden address${bad ? ` (${bad.address})` : ''}`) as unknown as NodeJS.ErrnoException;
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
