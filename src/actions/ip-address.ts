/**
 * IP address classification for the SSRF guard: which addresses are not public unicast
 * (loopback, private, link-local, CGNAT, multicast, reserved, ...) and why. IPv6 forms that
 * embed an IPv4 address (IPv4-mapped, NAT64, 6to4) are judged by the embedded address.
 * @module
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Reserved IPv4 ranges: [network, prefix length, reason]. Everything else is public. */
const IPV4_RANGES: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, "'this network' address (0.0.0.0/8)"],
  ['10.0.0.0', 8, 'private address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'link-local address (169.254.0.0/16, cloud metadata)'],
  ['172.16.0.0', 12, 'private address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'IETF protocol assignment (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'documentation address (192.0.2.0/24)'],
  ['192.88.99.0', 24, '6to4 relay anycast address (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'private address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'documentation address (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'documentation address (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'reserved address (240.0.0.0/4)'],
];

/** Parses a dotted-quad IPv4 address into an unsigned 32-bit number, or null. */
export function parseIPv4(address: string): number | null {
  if (!isIPv4(address)) return null;
  const parts = address.split('.').map(Number);
  return (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0) as number;
}

/** Parses an IPv6 address (zone id ignored, dotted IPv4 tail allowed) into eight 16-bit groups, or null. */
export function parseIPv6(address: string): number[] | null {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (!isIPv6(text)) return null;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length > 1 && halves[1] ? halves[1].split(':') : [];
  const fill = 8 - head.length - rest.length;
  if (halves.length === 1 && fill !== 0) return null;
  const groups = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...rest].map((g) =>
    Number.parseInt(g, 16),
  );
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

function inRange(ip: number, network: string, prefix: number): boolean {
  const net = parseIPv4(network)!;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return (ip & mask) >>> 0 === (net & mask) >>> 0;
}

function ipv4Reason(ip: number): string | null {
  for (const [network, prefix, reason] of IPV4_RANGES) {
    if (inRange(ip, network, prefix)) return reason;
  }
  return null;
}

function embedded(hi: number, lo: number): number {
  return ((hi << 16) | lo) >>> 0;
}

function formatIPv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 0xff, (ip >>> 8) & 0xff, ip & 0xff].join('.');
}

function ipv6Reason(g: number[]): string | null {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0) {
    if (g6 === 0 && g7 === 0) return 'unspecified address (::)';
    if (g6 === 0 && g7 === 1) return 'loopback address (::1)';
    return 'IPv4-compatible IPv6 address (::/96, deprecated)';
  }
  if (zeroPrefix && g5 === 0xffff) {
    const v4 = embedded(g6, g7);
    const reason = ipv4Reason(v4);
    return reason ? `IPv4-mapped ${reason} (${formatIPv4(v4)})` : null;
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    const reason = ipv4Reason(embedded(g6, g7));
    return reason ? `NAT64-embedded ${reason}` : null;
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'local-use NAT64 address (64:ff9b:1::/48)';
  if (g0 === 0x2002) {
    const reason = ipv4Reason(embedded(g1, g2));
    return reason ? `6to4-embedded ${reason}` : null;
  }
  if (g0 === 0x2001 && g1 === 0) return 'Teredo address (2001::/32)';
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation address (2001:db8::/32)';
  if (g0 === 0x2001 && g1 === 2 && g2 === 0) return 'benchmarking address (2001:2::/48)';
  if (g0 === 0x3fff && (g1 & 0xf000) === 0) return 'documentation address (3fff::/20)';
  if ((g0 & 0xfe00) === 0xfc00) return 'unique local address (fc00::/7)';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local address (fe80::/10)';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local address (fec0::/10, deprecated)';
  if ((g0 & 0xff00) === 0xff00) return 'multicast address (ff00::/8)';
  if ((g0 & 0xe000) !== 0x2000) return 'reserved address (outside 2000::/3)';
  return null;
}

/**
 * Why an IP address must not be reached by default, or `null` when it is public unicast.
 * Accepts canonical IPv4 (`127.0.0.1`) and IPv6 (`::ffff:127.0.0.1`, `[fe80::1]`, `fe80::1%eth0`);
 * anything else is refused as "not an IP address".
 */
export function addressBlockReason(address: string): string | null {
  const v4 = parseIPv4(address);
  if (v4 !== null) return ipv4Reason(v4);
  const v6 = parseIPv6(address);
  if (v6 !== null) return ipv6Reason(v6);
  return 'not an IP address';
}

/** A parsed CIDR block (or one address), for allowlists. */
export interface Cidr {
  family: 4 | 6;
  /** Groups (IPv6, 16-bit) or one 32-bit number (IPv4). */
  bits: number[];
  prefix: number;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address; null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const [addr = '', len] = text.split('/');
  const v4 = parseIPv4(addr);
  const v6 = v4 === null ? parseIPv6(addr) : null;
  if (v4 === null && v6 === null) return null;
  const max = v4 !== null ? 32 : 128;
  const prefix = len === undefined ? max : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (len !== undefined && !/^\d+$/.test(len)))
    return null;
  return v4 !== null ? { family: 4, bits: [v4], prefix } : { family: 6, bits: v6!, prefix };
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), else null. */
function mappedIPv4(g: number[]): number | null {
  const prefixZero = g.slice(0, 5).every((group) => group === 0);
  return prefixZero && g[5] === 0xffff ? embedded(g[6]!, g[7]!) : null;
}

/** Whether `address` lies in `cidr`. IPv4-mapped IPv6 addresses match IPv4 blocks. */
export function cidrContains(cidr: Cidr, address: string): boolean {
  let v4 = parseIPv4(address);
  const v6 = v4 === null ? parseIPv6(address) : null;
  if (v6) v4 = mappedIPv4(v6);
  if (cidr.family === 4) return v4 !== null && inRange(v4, formatIPv4(cidr.bits[0]!), cidr.prefix);
  if (!v6) return false;
  let left = cidr.prefix;
  for (let i = 0; i < 8 && left > 0; i++) {
    const take = Math.min(16, left);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((v6[i]! & mask) !== (cidr.bits[i]! & mask)) return false;
    left -= take;
  }
  return true;
}
