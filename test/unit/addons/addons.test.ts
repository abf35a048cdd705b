// The addon catalog as data: apply order, the loadbalancer loop's shell, metrics-server's release render.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADDONS } from "../../../src/addons/catalog.js";
import { LB_SCRIPT } from "../../../src/addons/loadbalancer.js";
import { applyOrder, parseObjects } from "../../../src/addons/objects.js";

const FIXTURES = join(import.meta.dirname, "../../fixtures/addons");

describe("addon objects", () => {
  it("orders namespaces, then CRDs, then the rest, then custom resources of those CRDs", () => {
    const objects = parseObjects(
      [
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: g, namespace: n}",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: n}",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gateways.gateway.networking.k8s.io}\nspec: {group: gateway.networking.k8s.io}",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: n}",
      ].join("\n---\n"),
      "test.yaml",
    );
    const { before, crds, after } = applyOrder(objects);
    expect([...before, ...crds, ...after].map((o) => o.kind)).toEqual(["Namespace", "CustomResourceDefinition", "Deployment", "Gateway"]);
  });

  it("names the file when an object has no kind", () => {
    expect(() => parseObjects("apiVersion: v1\nmetadata: {name: x}\n", "my.yaml")).toThrow(/my\.yaml holds an object without apiVersion, kind and metadata\.name/);
  });

  it("renders metrics-server's base as the v0.9.0 release with --kubelet-insecure-tls", () => {
    const text = readFileSync(join(FIXTURES, "metrics-server-deployment.yaml"), "utf8");
    const [deployment] = ADDONS["metrics-server"].render!(parseObjects(text, "deployment.yaml"));
    const container = (deployment!.spec as { template: { spec: { containers: { image: string; args: string[] }[] } } }).template.spec.containers[0]!;
    expect(container.image).toBe("registry.k8s.io/metrics-server/metrics-server:v0.9.0");
    expect(container.args).toContain("--kubelet-insecure-tls");
    expect(container.args).toContain("--kubelet-use-node-status-port");
  });

  const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
  it.skipIf(!shellcheck)("the LoadBalancer loop passes shellcheck", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kina-lb-")), "kina-lb");
    writeFileSync(file, LB_SCRIPT);
    const r = spawnSync("shellcheck", ["--shell=sh", file], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
