import { X509Certificate } from "node:crypto";
import { chmodSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HEAL, NodeSandbox, fixtureFiles, fixtureText, render } from "./harness.js";

const OLD = "192.168.64.3";
const NEW = "192.168.64.7";
// Shares OLD as a prefix: a textual replace of OLD would corrupt it.
const LOOKALIKE = "192.168.64.30";

// Files kina-ip-heal owns; everything else in the fixture roots must stay byte-for-byte.
const HEALED = /^(etc\/kubernetes\/manifests\/[^/]+\.yaml|etc\/kubernetes\/[^/]+\.conf|kind\/kubeadm\.conf|var\/lib\/kubelet\/kubeadm-flags\.env)$/;
const CRT = "etc/kubernetes/pki/apiserver.crt";
const KEY = "etc/kubernetes/pki/apiserver.key";

function ipSans(pem: string): string[] {
  const sans = new X509Certificate(pem).subjectAltName ?? "";
  return sans
    .split(", ")
    .filter((s) => s.startsWith("IP Address:"))
    .map((s) => s.slice("IP Address:".length));
}

describe("kina-ip-heal", () => {
  let sb: NodeSandbox;
  beforeEach(() => {
    sb = new NodeSandbox();
  });
  afterEach(() => sb.dispose());

  /** A control plane initialised at `nodeIp`, with a certificate kubeadm made for it. */
  function seedControlPlane(nodeIp: string, otherIp: string): void {
    sb.seed("control-plane-root", { NODE_IP: nodeIp, OTHER_IP: otherIp });
    chmodSync(join(sb.root, "etc/kubernetes/admin.conf"), 0o600);
    const made = sb.run(join(sb.bin, "kubeadm"), [
      "init", "phase", "certs", "apiserver", "--config", join(sb.root, "kind/kubeadm.conf"),
    ]);
    expect(made.status, made.stderr).toBe(0);
    sb.clearCalls();
  }

  const count = (call: string): number => sb.calls().filter((c) => c === call).length;
  const kubeadmCalls = (): string[] => sb.calls().filter((c) => c.startsWith("kubeadm "));

  it("rewrites every place the old IP appears, and nothing else", () => {
    seedControlPlane(OLD, LOOKALIKE);
    const oldCert = sb.read(CRT);

    const result = sb.run(HEAL, [OLD, NEW]);

    expect(result.status, result.stderr).toBe(0);
    for (const file of fixtureFiles("control-plane-root")) {
      const template = fixtureText("control-plane-root", file);
      const expected = HEALED.test(file)
        ? render(template, { NODE_IP: NEW, OTHER_IP: LOOKALIKE })
        : render(template, { NODE_IP: OLD, OTHER_IP: LOOKALIKE });
      expect(sb.read(file), file).toBe(expected);
    }
    expect(statSync(join(sb.root, "etc/kubernetes/admin.conf")).mode & 0o777).toBe(0o600);

    expect(ipSans(sb.read(CRT))).toContain(NEW);
    expect(ipSans(sb.read(CRT))).not.toContain(OLD);
    expect(sb.read(`${CRT}.kina-old`)).toBe(oldCert);
    expect(kubeadmCalls()).toEqual([
      `kubeadm init phase certs apiserver --config ${join(sb.root, "kind/kubeadm.conf")}`,
    ]);
    expect(count("systemctl restart kubelet")).toBe(1);
  });

  it("does nothing on a second run: no file rewritten, no certificate made, no restart", () => {
    seedControlPlane(OLD, LOOKALIKE);
    expect(sb.run(HEAL, [OLD, NEW]).status).toBe(0);
    const before = sb.snapshot();
    sb.clearCalls();

    const again = sb.run(HEAL, [OLD, NEW]);

    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/nothing to do/);
    expect(sb.snapshot()).toEqual(before);
    expect(kubeadmCalls()).toEqual([]);
    expect(sb.calls().filter((c) => c.startsWith("systemctl"))).toEqual([]);
  });

  it("does not take a lookalike SAN for the new IP", () => {
    // The certificate covers .30 (a peer in the kubeadm config) but not .3, the new address.
    seedControlPlane("192.168.64.9", "192.168.64.30");
    expect(ipSans(sb.read(CRT))).toEqual(expect.arrayContaining(["192.168.64.9", "192.168.64.30"]));

    const result = sb.run(HEAL, ["192.168.64.9", "192.168.64.3"]);

    expect(result.status, result.stderr).toBe(0);
    expect(ipSans(sb.read(CRT))).toContain("192.168.64.3");
    expect(kubeadmCalls()).toHaveLength(1);
  });

  it("heals a worker for the control plane's and its own address without certificate work", () => {
    const WORKER_OLD = "192.168.64.4";
    const WORKER_NEW = "192.168.64.8";
    sb.seed("worker-root", { NODE_IP: OLD, WORKER_IP: WORKER_OLD });

    const cp = sb.run(HEAL, [OLD, NEW]);
    expect(cp.status, cp.stderr).toBe(0);
    expect(sb.read("etc/kubernetes/kubelet.conf")).toContain(`server: https://${NEW}:6443`);
    expect(sb.read("kind/kubeadm.conf")).toContain(`apiServerEndpoint: ${NEW}:6443`);
    expect(sb.read("var/lib/kubelet/kubeadm-flags.env")).toContain(`--node-ip=${WORKER_OLD} `);

    const own = sb.run(HEAL, [WORKER_OLD, WORKER_NEW]);
    expect(own.status, own.stderr).toBe(0);
    expect(sb.read("var/lib/kubelet/kubeadm-flags.env")).toContain(`--node-ip=${WORKER_NEW} `);
    expect(sb.read("kind/kubeadm.conf")).toContain(`value: ${WORKER_NEW}`);

    expect(kubeadmCalls()).toEqual([]);
    expect(sb.exists(CRT)).toBe(false);
    expect(count("systemctl restart kubelet")).toBe(2);
  });

  it("puts the old certificate back when kubeadm fails, and a later run finishes the job", () => {
    seedControlPlane(OLD, LOOKALIKE);
    const oldCert = sb.read(CRT);
    const oldKey = sb.read(KEY);
    sb.flag("kubeadm-fails");

    const failed = sb.run(HEAL, [OLD, NEW]);

    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/could not regenerate the apiserver certificate/);
    expect(sb.read(CRT)).toBe(oldCert);
    expect(sb.read(KEY)).toBe(oldKey);
    expect(count("systemctl restart kubelet")).toBe(0);

    sb.unflag("kubeadm-fails");
    sb.clearCalls();
    const resumed = sb.run(HEAL, [OLD, NEW]);

    expect(resumed.status, resumed.stderr).toBe(0);
    expect(ipSans(sb.read(CRT))).toContain(NEW);
    expect(count("systemctl restart kubelet")).toBe(1);
    expect(sb.read("etc/kubernetes/manifests/kube-apiserver.yaml")).toContain(`--advertise-address=${NEW}`);
  });

  it("still restarts kubelet on the next run when the previous one died before the restart", () => {
    seedControlPlane(OLD, LOOKALIKE);
    sb.flag("systemctl-fails");
    expect(sb.run(HEAL, [OLD, NEW]).status).not.toBe(0);

    sb.unflag("systemctl-fails");
    sb.clearCalls();
    const resumed = sb.run(HEAL, [OLD, NEW]);

    expect(resumed.status, resumed.stderr).toBe(0);
    expect(kubeadmCalls()).toEqual([]);
    expect(count("systemctl restart kubelet")).toBe(1);

    sb.clearCalls();
    expect(sb.run(HEAL, [OLD, NEW]).status).toBe(0);
    expect(count("systemctl restart kubelet")).toBe(0);
  });

  it("rejects anything but two IPv4 addresses, touching nothing", () => {
    seedControlPlane(OLD, LOOKALIKE);
    const before = sb.snapshot();

    for (const args of [[], [OLD], [OLD, "192.168.64"], [OLD, "300.1.1.1"], ["a.b.c.d", NEW], [OLD, `${NEW} x`]]) {
      const result = sb.run(HEAL, args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(/usage: kina-ip-heal OLD_IP NEW_IP/);
    }
    expect(sb.snapshot()).toEqual(before);
    expect(sb.calls()).toEqual([]);
  });

  it("treats an unchanged IP as nothing to do", () => {
    seedControlPlane(OLD, LOOKALIKE);
    const before = sb.snapshot();

    const result = sb.run(HEAL, [OLD, OLD]);

    expect(result.status).toBe(0);
    expect(sb.snapshot()).toEqual(before);
    expect(sb.calls()).toEqual([]);
  });

  it("keeps the fixture honest: the old IP is in every healed file kind", () => {
    const healed = fixtureFiles("control-plane-root").filter((f) => HEALED.test(f));
    const withIp = healed.filter((f) => fixtureText("control-plane-root", f).includes("@NODE_IP@"));
    expect(withIp).toEqual(
      expect.arrayContaining([
        "etc/kubernetes/manifests/kube-apiserver.yaml",
        "etc/kubernetes/manifests/etcd.yaml",
        "etc/kubernetes/admin.conf",
        "etc/kubernetes/kubelet.conf",
        "kind/kubeadm.conf",
        "var/lib/kubelet/kubeadm-flags.env",
      ]),
    );
  });
});
