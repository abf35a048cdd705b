// IPv4 routes from macOS `netstat -rn -f inet`, and CIDR overlap. macOS prints network
// destinations with trailing zero octets dropped and the mask implied by the octets given
// ("192.168.64" = 192.168.64.0/24, "10" = 10.0.0.0/8, "10.8/16"); "default" is 0/0.

export interface Cidr {
  base: number;
  bits: number;
}

export interface Route {
  destination: string;
  cidr: Cidr;
  netif: string;
}

function octets(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums : undefined;
}

function toUint(nums: number[]): number {
  const full = [...nums, 0, 0, 0, 0].slice(0, 4);
  return ((full[0]! << 24) | (full[1]! << 16) | (full[2]! << 8) | full[3]!) >>> 0;
}

/** "192.168.64.0/24" → Cidr; undefined when it is not IPv4 CIDR text. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bitsText] = text.trim().split("/");
  const nums = octets(addr ?? "");
  if (!nums || nums.length !== 4) return undefined;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base: toUint(nums) & mask(bits), bits };
}

function mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** A netstat destination ("192.168.64", "10.8/16", "127.0.0.1", "default") → Cidr. */
export function parseDestination(text: string): Cidr | undefined {
  if (text === "default") return { base: 0, bits: 0 };
  const [addr, bitsText] = text.split("/");
  const nums = octets(addr ?? "");
  if (!nums) return undefined;
  const bits = bitsText === undefined ? nums.length * 8 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { base: toUint(nums) & mask(bits), bits };
}

/** The rows of the "Internet:" table; link-layer (ARP) entries and headers are skipped. */
export function parseNetstatRoutes(stdout: string): Route[] {
  const routes: Route[] = [];
  for (const line of stdout.split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[0] === "Destination") continue;
    const [destination, gateway, , netif] = cols as [string, string, string, string];
    if (/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(gateway)) continue; // an ARP entry for a host
    const cidr = parseDestination(destination);
    if (cidr) routes.push({ destination, cidr, netif });
  }
  return routes;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const bits = Math.min(a.bits, b.bits);
  return (a.base & mask(bits)) === (b.base & mask(bits));
}

export function formatCidr(c: Cidr): string {
  return `${c.base >>> 24}.${(c.base >>> 16) & 255}.${(c.base >>> 8) & 255}.${c.base & 255}/${c.bits}`;
}
