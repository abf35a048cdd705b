// kina install / uninstall: each addon its own resumable chain, against both doubles.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();
const status = async (m: FakeMac) => JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
const deployments = (m: FakeMac) =>
  execFileSync("/usr/bin/kubectl", ["--kubeconfig", join(m.home, ".kube", "config"), "get", "deploy", "-A", "--no-headers", "-o", "name"], {
    encoding: "utf8",
  });

describe("kina install / uninstall", () => {
  it("uninstall storage deletes its objects; install storage brings it back, each recorded as its own chain", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    expect(deployments(m)).toContain("local-path-provisioner");

    const removed = await m.kina(["uninstall", "storage", "dev"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain('Uninstalling storage on cluster "dev"');
    expect(deployments(m)).not.toContain("local-path-provisioner");
    const afterRemove = await status(m);
    expect(afterRemove.phase).toBe("ready");
    expect(afterRemove.addons.storage).toBeUndefined();
    expect(afterRemove.steps.find((s: { chain: string }) => s.chain === "uninstall-storage")).toMatchObject({ id: "addonRemoved", status: "done" });

    const installed = await m.kina(["install", "storage", "dev"]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(deployments(m)).toContain("local-path-provisioner");
    const doc = await status(m);
    expect(doc.addons.storage).toEqual({ status: "available" });
    expect(doc.steps.filter((s: { chain: string }) => s.chain === "install-storage").map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
      ["addonApplied", "done"],
      ["addonAvailable", "done"],
    ]);
  });

  it("an unknown addon exits 2 naming the allowed ones; install on a stopped cluster exits 2", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const unknown = await m.kina(["install", "traefik", "dev"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown addon "traefik"; allowed: storage, metrics-server, gateway, loadbalancer, ingress-nginx');
    await m.kina(["stop", "dev"]);
    const stopped = await m.kina(["install", "storage", "dev"]);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain('cluster "dev" is stopped: it cannot install storage.');
  });
});
