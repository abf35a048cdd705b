import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NodeSandbox, PREP } from "./harness.js";

const CLAMP = "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1220";
const DROPIN = "etc/containerd/conf.d/kina-snapshotter.toml";

describe("kina-node-prep", () => {
  let sb: NodeSandbox;
  beforeEach(() => {
    sb = new NodeSandbox();
  });
  afterEach(() => sb.dispose());

  const sysctl = (key: string): string | undefined => sb.stubState(`sysctl/${key}`)?.trim();
  // The update-alternatives stub starts at legacy, like kindest/node's entrypoint on a fresh VM.
  const alternative = (name: string): string =>
    sb.stubState(`alternatives/${name}`)?.trim() ?? `/usr/sbin/${name}-legacy`;

  it("enables forwarding and bridge netfilter, selects nft, clamps the MSS and writes the snapshotter drop-in", () => {
    const result = sb.run(PREP);

    expect(result.status, result.stderr).toBe(0);
    expect(sysctl("net.ipv4.ip_forward")).toBe("1");
    expect(sysctl("net.bridge.bridge-nf-call-iptables")).toBe("1");
    expect(sysctl("net.bridge.bridge-nf-call-ip6tables")).toBe("1");
    expect(alternative("iptables")).toBe("/usr/sbin/iptables-nft");
    expect(alternative("ip6tables")).toBe("/usr/sbin/ip6tables-nft");
    expect(sb.rules("iptables-nft")).toEqual([`mangle OUTPUT ${CLAMP}`, `mangle FORWARD ${CLAMP}`]);
    expect(sb.rules("iptables-legacy")).toEqual([]);
    const dropin = sb.read(DROPIN);
    expect(dropin).toContain("[plugins.'io.containerd.cri.v1.images']");
    expect(dropin).toMatch(/^\s*snapshotter = "native"$/m);
    // At boot containerd is not running yet and reads the drop-in when it starts.
    expect(sb.calls().filter((c) => c.startsWith("systemctl restart"))).toEqual([]);
  });

  it("changes nothing and adds no duplicate rules when run again", () => {
    expect(sb.run(PREP).status).toBe(0);
    const before = sb.snapshot();
    sb.clearCalls();

    const again = sb.run(PREP);

    expect(again.status, again.stderr).toBe(0);
    expect(sb.snapshot()).toEqual(before);
    expect(sb.rules("iptables-nft")).toHaveLength(2);
    const writes = sb.calls().filter((c) => / -A | -w |--set |restart/.test(` ${c} `));
    expect(writes).toEqual([]);
  });

  it("restarts a running containerd only when the drop-in changed", () => {
    sb.flag("active/containerd");
    const restarts = (): number => sb.calls().filter((c) => c === "systemctl restart containerd").length;

    expect(sb.run(PREP).status).toBe(0);
    expect(restarts()).toBe(1);

    sb.clearCalls();
    expect(sb.run(PREP).status).toBe(0);
    expect(restarts()).toBe(0);

    sb.clearCalls();
    expect(sb.run(PREP, [], { KINA_SNAPSHOTTER: "overlayfs" }).status).toBe(0);
    expect(sb.read(DROPIN)).toMatch(/^\s*snapshotter = "overlayfs"$/m);
    expect(restarts()).toBe(1);
  });

  it("falls back to iptables-legacy and tolerates missing br_netfilter on a kernel without nf_tables", () => {
    sb.flag("iptables-nft-broken");
    sb.flag("sysctl-missing", "net.bridge.bridge-nf-call-iptables\nnet.bridge.bridge-nf-call-ip6tables\n");

    const result = sb.run(PREP);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/bridge-nf-call-iptables.*br_netfilter/);
    expect(sysctl("net.ipv4.ip_forward")).toBe("1");
    expect(alternative("iptables")).toBe("/usr/sbin/iptables-legacy");
    expect(sb.rules("iptables-legacy")).toEqual([`mangle OUTPUT ${CLAMP}`, `mangle FORWARD ${CLAMP}`]);
  });

  it("honours an explicit backend choice", () => {
    const result = sb.run(PREP, [], { KINA_IPTABLES_MODE: "legacy" });

    expect(result.status, result.stderr).toBe(0);
    expect(alternative("iptables")).toBe("/usr/sbin/iptables-legacy");
    expect(sb.rules("iptables-nft")).toEqual([]);
    expect(sb.rules("iptables-legacy")).toHaveLength(2);
  });

  it("fails with the reason when ip_forward cannot be set, after doing everything else", () => {
    sb.flag("sysctl-readonly");

    const result = sb.run(PREP);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/net\.ipv4\.ip_forward.*permission denied.*--read-only-path NONE/);
    expect(sb.rules("iptables-nft")).toHaveLength(2);
    expect(sb.exists(DROPIN)).toBe(true);
  });

  it("fails when no iptables backend works", () => {
    sb.flag("iptables-nft-broken");
    sb.flag("iptables-legacy-broken");

    const result = sb.run(PREP);

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/neither iptables-nft nor iptables-legacy/);
  });

  it("rejects bad settings before touching anything", () => {
    expect(sb.run(PREP, [], { KINA_IPTABLES_MODE: "ipvs" }).status).toBe(2);
    expect(sb.run(PREP, [], { KINA_SNAPSHOTTER: 'native"\n[evil]' }).status).toBe(2);
    expect(sb.calls()).toEqual([]);
    expect(sb.files()).toEqual([]);
  });

  it("warns when an initialised control plane has no /kind/kubeadm.conf", () => {
    sb.write("etc/kubernetes/pki/apiserver.crt", "cert");

    const missing = sb.run(PREP);
    expect(missing.status).toBe(0);
    expect(missing.stderr).toMatch(/\/kind\/kubeadm\.conf is missing/);

    sb.write("kind/kubeadm.conf", "apiVersion: kubeadm.k8s.io/v1beta4\n");
    expect(sb.run(PREP).stderr).not.toMatch(/kubeadm\.conf/);
  });

  it("--wait-containerd waits for containerd inside the node, then prepares it", () => {
    sb.flag("active/containerd");
    const result = sb.run(PREP, ["--wait-containerd", "5"]);
    expect(result.status, result.stderr).toBe(0);
    expect(sb.calls()).toContain("systemctl is-active --quiet containerd");
    expect(sysctl("net.ipv4.ip_forward")).toBe("1");
  });

  it("--wait-containerd gives up with exit 3 when containerd never becomes active, having changed nothing", () => {
    const before = sb.snapshot();
    const result = sb.run(PREP, ["--wait-containerd", "1"]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("containerd was not active after 1s");
    expect(sb.snapshot()).toEqual(before);
  });

  it("refuses a malformed --wait-containerd or an unknown argument with exit 2", () => {
    expect(sb.run(PREP, ["--wait-containerd", "soon"]).status).toBe(2);
    expect(sb.run(PREP, ["--frobnicate"]).status).toBe(2);
  });
});
