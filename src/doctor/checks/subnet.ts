// The VM subnet colliding with another route (a VPN): vmnet's default 192.168.64.0/24, or
// `[network] subnet` from config.toml (reference §1, §3.8), against `netstat -rn -f inet`.

import { isServiceRunning } from "../../runtime/schemas.js";
import { ok, warn, type Check } from "../check.js";
import { formatCidr, overlaps, parseCidr, parseNetstatRoutes } from "../routes.js";

const DEFAULT_SUBNET = "192.168.64.0/24";
// The vmnet bridge carrying the VM subnet itself (bridge100…), and routes too broad to say
// anything (0/0 and split-default halves a full-tunnel VPN adds).
const OWN_NETIF = /^bridge\d+$/;
const MIN_SPECIFIC_BITS = 8;

async function vmSubnet(ctx: Parameters<Check["run"]>[0]): Promise<{ subnet: string; from: string }> {
  const status = await ctx.status();
  if (status.ok && isServiceRunning(status.value)) {
    const props = await ctx.properties();
    const configured = props.ok ? props.value.network?.subnet : undefined;
    if (configured) return { subnet: configured, from: "[network] subnet in config.toml" };
    return { subnet: DEFAULT_SUBNET, from: props.ok ? "the default; no [network] subnet set" : "the default; `container system property list` did not answer" };
  }
  return { subnet: DEFAULT_SUBNET, from: "the default; the service is not answering" };
}

export const subnetCheck: Check = {
  id: "subnet",
  async run(ctx) {
    const { subnet, from } = await vmSubnet(ctx);
    const cidr = parseCidr(subnet);
    if (!cidr) return warn(`cannot check: VM subnet ${JSON.stringify(subnet)} (${from}) is not IPv4 CIDR`);
    const result = await ctx.host("netstat", ["-rn", "-f", "inet"]);
    if (result.exitCode !== 0) {
      const why = result.spawnErrorCode === "ENOENT" ? "`netstat` not found" : "`netstat -rn -f inet` failed";
      return warn(`cannot check: ${why}; VM subnet ${formatCidr(cidr)} (${from})`);
    }
    const clashes = parseNetstatRoutes(result.stdout).filter(
      (r) => !OWN_NETIF.test(r.netif) && r.cidr.bits >= MIN_SPECIFIC_BITS && overlaps(r.cidr, cidr),
    );
    if (clashes.length > 0) {
      const list = clashes.map((r) => `${formatCidr(r.cidr)} via ${r.netif}`).join(", ");
      return warn(
        `VM subnet ${formatCidr(cidr)} (${from}) overlaps ${list} (a VPN?): VMs may be unreachable while it is up`,
        'disconnect the VPN, or set a free subnet in ~/.config/container/config.toml ([network] subnet = "192.168.200.0/24") and run `container system stop && container system start`',
      );
    }
    return ok(`VM subnet ${formatCidr(cidr)} (${from}) overlaps no other route`);
  },
};

