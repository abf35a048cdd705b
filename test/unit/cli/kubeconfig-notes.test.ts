import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { clusterInfoCommand, contextNote } from "../../../src/cli/commands/kubeconfig-notes.js";
import { resolveNode } from "../../../src/cli/commands/exec.js";

describe("clusterInfoCommand", () => {
  const env = { HOME: "/Users/me" };
  test("no --kubeconfig for the file kubectl reads anyway", () => {
    expect(clusterInfoCommand("kina-dev", undefined, env)).toBe("kubectl cluster-info --context kina-dev");
    expect(clusterInfoCommand("kina-dev", join("/Users/me", ".kube", "config"), env)).toBe("kubectl cluster-info --context kina-dev");
    expect(clusterInfoCommand("kina-dev", "/tmp/a", { ...env, KUBECONFIG: "/tmp/b:/tmp/a" })).toBe("kubectl cluster-info --context kina-dev");
  });
  test("--kubeconfig FILE for any other file", () => {
    expect(clusterInfoCommand("kina-dev", "/tmp/kc.yaml", env)).toBe("kubectl cluster-info --context kina-dev --kubeconfig /tmp/kc.yaml");
  });
});

describe("contextNote", () => {
  test("says which context is current, as kind does when it is kina's", () => {
    expect(contextNote("kina-dev", { path: "/k", currentContext: "kina-dev" })).toBe('Set kubectl context to "kina-dev"');
    expect(contextNote("kina-dev", { path: "/k", currentContext: "prod" })).toContain('Kept kubectl context "prod"');
    expect(contextNote("kina-dev", { path: "/k", currentContext: "" })).toContain("/k has no current context");
  });
});

describe("resolveNode", () => {
  const nodes = [
    { cluster: "dev", name: "dev-control-plane" },
    { cluster: "dev", name: "dev-worker" },
    { cluster: "other", name: "other-worker" },
  ];
  test("a full node name of any cluster, or a role name in the current one", () => {
    expect(resolveNode(nodes, "other-worker", "dev")).toEqual({ cluster: "other", name: "other-worker" });
    expect(resolveNode(nodes, "worker", "dev")).toEqual({ cluster: "dev", name: "dev-worker" });
    expect(resolveNode(nodes, "worker", "other")).toEqual({ cluster: "other", name: "other-worker" });
    expect(resolveNode(nodes, "worker2", "dev")).toBeUndefined();
  });
});
