import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { permanentError } from '@pressroom/contracts';
import { addressPolicy, ipLiteral, type AddressPolicy } from './address-policy.ts';

/** Refuses non-http(s) URLs, credentials in URLs and IP literals in forbidden ranges before any connection is made. */
export function assertAllowedUrl(url: URL, allow: boolean | AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw permanentError('target_forbidden', `only http(s) targets are allowed, not ${url.protocol}`);
  if (url.username || url.password) throw permanentError('target_forbidden', 'credentials in target URLs are not allowed');
  const literal = ipLiteral(url.hostname);
  if (literal && !addressPolicy(allow)(literal)) throw permanentError('target_forbidden', `target address ${literal} is in a forbidden range`);
}

type Resolver = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/**
 * A DNS lookup that checks every resolved address and hands the socket only checked ones, so the address
 * that was checked is the address that is connected to (no DNS-rebinding window between check and use).
 * One forbidden address refuses the whole name: a resolver mixing public and private answers is an attack.
 * `resolve` is injectable for tests; production uses the system resolver (`dns.lookup`).
 */
export function guardedLookup(allow: boolean | AddressPolicy, resolve: Resolver = dnsLookup as unknown as Resolver): LookupFunction {
  const allowed = addressPolicy(allow);
  return ((hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (err, list) => {
      if (err) return callback(err, '', 0);
      const bad = list.find((a) => !allowed(a.address));
      if (bad || list.length === 0) {
        const e = permanentError(
          'target_forbidden',
          `${hostname} resolves to a forbidden address${bad ? ` (${bad.address})` : ''}`,
        ) as unknown as NodeJS.ErrnoException;
        return callback(e, '', 0);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
  }) as LookupFunction;
}
