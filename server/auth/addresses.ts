// Address lists (single addresses and CIDR ranges) for trusted proxies and kiosk screens, matched with BlockList.
import { BlockList, isIPv4, SocketAddress } from 'node:net';

/**
 * 4, 6 or 0, as net.isIP answers, but IPv6 is read by the address parser (inet_pton) instead of isIP's IPv6
 * pattern, whose first use compiles a large regex: ~10 ms of every command that reads the configuration.
 */
function ipFamily(addr: string): 0 | 4 | 6 {
  if (isIPv4(addr)) return 4;
  if (!addr.includes(':') || addr.endsWith('%')) return 0;
  try {
    new SocketAddress({ address: addr, family: 'ipv6' });
    return 6;
  } catch {
    return 0;
  }
}

/** Splits a configured list: commas, spaces or newlines. */
export function splitList(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(/[\s,]+/) : value;
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.5`, as dual-stack sockets report it) becomes plain IPv4. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

/** Problems with the entries, in plain words; empty when every entry is an address or CIDR range. */
export function addressListProblems(entries: readonly string[]): string[] {
  const problems: string[] = [];
  for (const e of entries) {
    const [addr = '', bits, extra] = e.split('/');
    const family = ipFamily(addr);
    const max = family === 4 ? 32 : 128;
    const okBits = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || !okBits || extra !== undefined) {
      problems.push(`"${e}" is not an IP address or CIDR range (such as 10.0.0.5, 10.42.0.0/16 or fd00::/8)`);
    }
  }
  return problems;
}

export type AddressMatcher = (address: string | undefined) => boolean;

/** A predicate for "is this peer in the list"; call addressListProblems first, invalid entries throw here. */
export function addressMatcher(entries: readonly string[]): AddressMatcher {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', bits] = e.split('/');
    const type = ipFamily(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(plainAddress(addr), type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const a = plainAddress(address);
    const family = ipFamily(a);
    if (family === 0) return false;
    return list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}
