// The host answers kina doctor reads: macOS netstat routes and CIDR overlap, vm_stat pages, a
// kernel's embedded configuration, `container system version` rows.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parseMemsize, parseVmStatAvailable } from "../../../src/doctor/host-memory.js";
import { embeddedKernelConfig, parseKernelConfig } from "../../../src/doctor/ikconfig.js";
import { formatCidr, overlaps, parseCidr, parseDestination, parseNetstatRoutes } from "../../../src/doctor/routes.js";
import { systemVersionSchema } from "../../../src/runtime/schemas.js";
import { tempDir } from "../../helpers/run.js";

const NETSTAT = `Routing tables

Internet:
Destination        Gateway            Flags               Netif Expire
default            192.168.1.1        UGScg                 en0
10.8/16            10.8.0.1           UGSc                utun4
127                127.0.0.1          UCS                   lo0
127.0.0.1          127.0.0.1          UH                    lo0
192.168.1          link#6             UCS                   en0      !
192.168.1.1        a0:b1:c2:d3:e4:f5  UHLWIir               en0   1187
192.168.64         link#20            UC              bridge100      !
224.0.0/4          link#6             UmCS                  en0      !
`;

describe("netstat routes", () => {
  it("reads macOS's abbreviated destinations", () => {
    expect(formatCidr(parseDestination("192.168.64")!)).toBe("192.168.64.0/24");
    expect(formatCidr(parseDestination("127")!)).toBe("127.0.0.0/8");
    expect(formatCidr(parseDestination("10.8/16")!)).toBe("10.8.0.0/16");
    expect(formatCidr(parseDestination("224.0.0/4")!)).toBe("224.0.0.0/4");
    expect(formatCidr(parseDestination("192.168.1.23")!)).toBe("192.168.1.23/32");
    expect(formatCidr(parseDestination("default")!)).toBe("0.0.0.0/0");
    expect(parseDestination("fe80::1%lo0")).toBeUndefined();
  });

  it("keeps route rows and drops headers and ARP entries", () => {
    const routes = parseNetstatRoutes(NETSTAT);
    expect(routes.map((r) => `${r.destination} ${r.netif}`)).toEqual([
      "default en0",
      "10.8/16 utun4",
      "127 lo0",
      "127.0.0.1 lo0",
      "192.168.1 en0",
      "192.168.64 bridge100",
      "224.0.0/4 en0",
    ]);
  });

  it("overlap is containment either way", () => {
    const vm = parseCidr("192.168.64.0/24")!;
    expect(overlaps(vm, parseDestination("192.168.64/20")!)).toBe(true);
    expect(overlaps(vm, parseDestination("192.168.64.128/25")!)).toBe(true);
    expect(overlaps(vm, parseDestination("192.168.65")!)).toBe(false);
    expect(overlaps(vm, parseDestination("10.8/16")!)).toBe(false);
    expect(parseCidr("192.168.64.0/33")).toBeUndefined();
  });
});

describe("memory", () => {
  it("reads hw.memsize and vm_stat's free + inactive + speculative pages", () => {
    expect(parseMemsize("34359738368\n")).toBe(34359738368);
    expect(parseMemsize("sysctl: unknown oid")).toBeUndefined();
    const vmStat = [
      "Mach Virtual Memory Statistics: (page size of 16384 bytes)",
      "Pages free:                               10.",
      "Pages active:                            999.",
      "Pages inactive:                           20.",
      "Pages speculative:                         5.",
    ].join("\n");
    expect(parseVmStatAvailable(vmStat)).toBe(35 * 16384);
    expect(parseVmStatAvailable("garbage")).toBeUndefined();
  });
});

describe("kernel config", () => {
  it("finds the configuration CONFIG_IKCONFIG embeds in a kernel image", async () => {
    const config = "#\n# Linux/arm64 6.18.35 Kernel Configuration\n#\nCONFIG_BPF_JIT=y\n# CONFIG_NET_CLS_BPF is not set\n";
    const image = join(tempDir(), "vmlinux");
    writeFileSync(image, Buffer.concat([Buffer.from("\x7fELF…"), Buffer.from("IKCFG_ST"), gzipSync(config), Buffer.from("IKCFG_ED"), Buffer.alloc(64)]));
    const text = await embeddedKernelConfig(image);
    const parsed = parseKernelConfig(text!);
    expect(parsed.has("BPF_JIT")).toBe(true);
    expect(parsed.has("CONFIG_NET_CLS_BPF")).toBe(false);
    expect(parsed.release).toBe("6.18.35");

    const plain = join(tempDir(), "bzImage");
    writeFileSync(plain, "no markers here");
    expect(await embeddedKernelConfig(plain)).toBeUndefined();
  });
});

describe("container system version --format json", () => {
  it("reads the bare client version and the apiserver's full version text", () => {
    const rows = [
      { appName: "container", buildType: "release", commit: "0190097", version: "1.4.1" },
      { appName: "container-apiserver", buildType: "release", commit: "0190097", version: "container-apiserver version 1.2.2 (build: release, commit: 0190097)" },
    ];
    expect(systemVersionSchema.parse(rows)).toEqual({ clientVersion: "1.4.1", serverVersion: "1.2.2" });
    expect(systemVersionSchema.parse(rows.slice(0, 1))).toEqual({ clientVersion: "1.4.1" });
  });
});
