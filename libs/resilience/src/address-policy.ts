import { BlockList, isIP } from 'node:net';

// Ranges an outbound call must never reach: loopback, private, link-local (incl. cloud metadata 169.254.169.254),
// CGNAT, benchmarking, multicast and reserved space, and their IPv6 counterparts (RFC 6890 special-purpose registry),
// plus the IPv6 forms that embed an IPv4 address (IPv4-compatible, NAT64, 6to4, Teredo) and so could carry a private
// one. fd00:ec2::254 (AWS metadata over IPv6) sits in fc00::/7.
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/**
 * Canonical form of an address literal, with IPv4-mapped IPv6 unwrapped in every spelling (::ffff:127.0.0.1,
 * ::ffff:7f00:1, 0:0:0:0:0:ffff:7f00:1) so that it is judged by the IPv4 rules and cannot slip past them.
 * Mapped addresses are never looked up as IPv6: Node's BlockList treats every IPv4 address as inside
 * ::ffff:0:0/96, so listing that range would refuse all of IPv4.
 */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  const v = isIP(bare);
  if (v === 4) return { address: bare, family: 'ipv4' };
  if (v !== 6) return undefined;
  // The WHATWG URL parser prints IPv6 in its canonical compressed form (RFC 5952), hex groups only.
  const canonical = new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, '');
  // IPv4-mapped (::ffff:a.b.c.d) and the deprecated IPv4-compatible (::a.b.c.d) forms.
  const mapped = /^::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped?.[1] && mapped[2]) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: canonical, family: 'ipv6' };
}

/** True when the address may be connected to. `allowPrivate` exists only for tests against local stand-ins. */
export function isAllowedAddress(address: string, allowPrivate: boolean): boolean {
  const n = normalize(address);
  if (!n) return false;
  if (allowPrivate) return true;
  return !blocked.check(n.address, n.family);
}

/** Decides whether one resolved (or literal) address may be connected to. */
export type AddressPolicy = (address: string) => boolean;

export function addressPolicy(allow: boolean | AddressPolicy): AddressPolicy {
  return typeof allow === 'function' ? allow : (address) => isAllowedAddress(address, allow);
}

export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : undefined;
}
