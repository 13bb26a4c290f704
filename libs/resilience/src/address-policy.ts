import { BlockList, isIP } from 'node:net';

// Ranges an outbound call must never reach: loopback, private, link-local (incl. cloud metadata 169.254.169.254),
// CGNAT, benchmarking, multicast and reserved space, and their IPv6 counterparts (RFC 6890 special-purpose registry).
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, prefix, 'ipv6');

/** Unwraps IPv4-mapped IPv6 (::ffff:10.0.0.1) so it cannot slip past the IPv4 rules. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  const v = isIP(bare);
  if (v === 4) return { address: bare, family: 'ipv4' };
  if (v === 6) return { address: bare, family: 'ipv6' };
  return undefined;
}

/** True when the address may be connected to. `allowPrivate` exists only for tests against local stand-ins. */
export function isAllowedAddress(address: string, allowPrivate: boolean): boolean {
  const n = normalize(address);
  if (!n) return false;
  if (allowPrivate) return true;
  return !blocked.check(n.address, n.family);
}

export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : undefined;
}
