/** Link-layer header types shared by pcap and pcapng (tcpdump.org link-layer registry). */
export const LinkType = {
  NULL: 0, // BSD loopback
  ETHERNET: 1,
  RAW: 101, // raw IPv4 or IPv6
  IEEE802_11: 105,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const NAMES: ReadonlyMap<number, string> = new Map([
  [LinkType.NULL, 'BSD loopback'],
  [LinkType.ETHERNET, 'Ethernet'],
  [LinkType.RAW, 'raw IP'],
  [LinkType.IEEE802_11, 'IEEE 802.11'],
  [LinkType.LINUX_SLL, 'Linux cooked SLL'],
  [LinkType.IEEE802_11_RADIOTAP, 'IEEE 802.11 radiotap'],
  [LinkType.IPV4, 'raw IPv4'],
  [LinkType.IPV6, 'raw IPv6'],
  [LinkType.LINUX_SLL2, 'Linux cooked SLL2'],
]);

/** `113 (Linux cooked SLL)`, or just the number when the type is not one we name. */
export function describeLinkType(linkType: number): string {
  const name = NAMES.get(linkType);
  return name === undefined ? String(linkType) : `${linkType} (${name})`;
}
