/**
 * The SSRF address classifier: every reserved range is refused with a reason, public unicast
 * passes, and IPv6 forms that embed IPv4 are judged by the embedded address.
 */
import { describe, expect, it } from 'vitest';
import {
  addressBlockReason,
  cidrContains,
  parseCidr,
  parseIPv4,
  parseIPv6,
} from '../../../src/actions/ip-address.js';

const BLOCKED: Array<[string, RegExp]> = [
  ['0.0.0.0', /this network/],
  ['0.1.2.3', /this network/],
  ['10.0.0.1', /private.*10\.0\.0\.0\/8/],
  ['10.255.255.255', /private/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.254', /carrier-grade NAT/],
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['169.254.169.254', /link-local.*metadata/],
  ['169.254.0.1', /link-local/],
  ['172.16.0.1', /private.*172\.16\.0\.0\/12/],
  ['172.31.255.255', /private/],
  ['192.0.0.170', /IETF/],
  ['192.0.2.1', /documentation/],
  ['192.168.1.1', /private.*192\.168/],
  ['198.18.0.1', /benchmarking/],
  ['198.51.100.7', /documentation/],
  ['203.0.113.9', /documentation/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['240.0.0.1', /reserved/],
  ['255.255.255.255', /reserved/],
  ['::', /unspecified/],
  ['::1', /loopback/],
  ['0:0:0:0:0:0:0:1', /loopback/],
  ['[::1]', /loopback/],
  ['::ffff:127.0.0.1', /IPv4-mapped loopback/],
  ['::ffff:7f00:1', /IPv4-mapped loopback/],
  ['::ffff:169.254.169.254', /IPv4-mapped link-local/],
  ['::ffff:a9fe:a9fe', /IPv4-mapped link-local/],
  ['::ffff:10.1.2.3', /IPv4-mapped private/],
  ['0:0:0:0:0:ffff:c0a8:101', /IPv4-mapped private/],
  ['::127.0.0.1', /IPv4-compatible/],
  ['64:ff9b::7f00:1', /NAT64-embedded loopback/],
  ['64:ff9b:1::1', /local-use NAT64/],
  ['2002:7f00:1::1', /6to4-embedded loopback/],
  ['2002:a9fe:a9fe::', /6to4-embedded link-local/],
  ['2001:0:4136:e378::1', /Teredo/],
  ['2001:db8::1', /documentation/],
  ['2001:2::1', /benchmarking.*2001:2::\/48/],
  ['2001:2:0:ffff::1', /benchmarking/],
  ['3fff::1', /documentation.*3fff::\/20/],
  ['3fff:fff:ffff::1', /documentation/],
  ['fc00::1', /unique local/],
  ['fd00::1', /unique local/],
  ['fd00:ec2::254', /unique local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['febf:ffff::1', /link-local/],
  ['fec0::1', /site-local/],
  ['ff02::1', /multicast/],
  ['100::1', /reserved/],
  ['4000::1', /reserved/],
  ['not-an-ip', /not an IP/],
  ['127.1', /not an IP/],
  ['2130706433', /not an IP/],
];

const PUBLIC = [
  '1.1.1.1',
  '8.8.8.8',
  '93.184.216.34',
  '100.63.255.255',
  '100.128.0.0',
  '172.15.255.255',
  '172.32.0.0',
  '192.167.255.255',
  '192.169.0.0',
  '169.253.255.255',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
  '::ffff:808:808',
  '64:ff9b::808:808',
  '2002:808:808::1',
  '2001:3::1',
  '3ffe::1',
  '3fff:1000::1',
];

describe('addressBlockReason', () => {
  it.each(BLOCKED)('refuses %s', (address, reason) => {
    expect(addressBlockReason(address)).toMatch(reason);
  });

  it.each(PUBLIC)('allows public %s', (address) => {
    expect(addressBlockReason(address)).toBeNull();
  });

  it('judges hosts the way URL parsing normalizes them (decimal, octal, hex, short forms)', () => {
    const forms: Array<[string, string]> = [
      ['http://2130706433/', '127.0.0.1'],
      ['http://0177.0.0.1/', '127.0.0.1'],
      ['http://0x7f.0.0.1/', '127.0.0.1'],
      ['http://0x7f000001/', '127.0.0.1'],
      ['http://127.1/', '127.0.0.1'],
      ['http://017700000001/', '127.0.0.1'],
      ['http://0/', '0.0.0.0'],
      ['http://0xa9fea9fe/', '169.254.169.254'],
      ['http://2852039166/', '169.254.169.254'],
      ['http://[::ffff:127.0.0.1]/', '[::ffff:7f00:1]'],
      ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', '[::ffff:a9fe:a9fe]'],
      ['http://[::1]:8080/', '[::1]'],
    ];
    for (const [url, host] of forms) {
      const hostname = new URL(url).hostname;
      expect(hostname).toBe(host);
      expect(addressBlockReason(hostname), url).not.toBeNull();
    }
  });
});

describe('parsers', () => {
  it('parses IPv4 and IPv6, including dotted tails and zone ids', () => {
    expect(parseIPv4('192.168.0.1')).toBe(0xc0a80001);
    expect(parseIPv4('256.0.0.1')).toBeNull();
    expect(parseIPv6('::')).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('fe80::1%lo0')).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(parseIPv6('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6('1:2')).toBeNull();
    expect(parseIPv6('10.0.0.1')).toBeNull();
  });

  it('matches CIDR blocks, with IPv4-mapped addresses inside IPv4 blocks', () => {
    const ten = parseCidr('10.0.0.0/8')!;
    expect(cidrContains(ten, '10.20.30.40')).toBe(true);
    expect(cidrContains(ten, '11.0.0.1')).toBe(false);
    expect(cidrContains(ten, '::ffff:10.0.0.1')).toBe(true);
    const ula = parseCidr('fd00::/8')!;
    expect(cidrContains(ula, 'fd12:3456::1')).toBe(true);
    expect(cidrContains(ula, 'fe80::1')).toBe(false);
    expect(cidrContains(ula, '10.0.0.1')).toBe(false);
    const one = parseCidr('127.0.0.1')!;
    expect(one.prefix).toBe(32);
    expect(cidrContains(one, '127.0.0.1')).toBe(true);
    expect(cidrContains(one, '127.0.0.2')).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, '8.8.8.8')).toBe(true);
    expect(cidrContains(parseCidr('2001:db8:1234::/48')!, '2001:db8:1234:ffff::1')).toBe(true);
    expect(cidrContains(parseCidr('2001:db8:1234::/48')!, '2001:db8:1235::1')).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeNull();
    expect(parseCidr('10.0.0.0/x')).toBeNull();
    expect(parseCidr('example.com')).toBeNull();
  });
});
