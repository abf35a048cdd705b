// kina install for metrics-server, gateway, loadbalancer and ingress-nginx against both doubles:
// pinned upstream manifests from the cache or a mirror (checksums enforced), dependency order,
// readiness that names what is missing, idempotent installs, exact uninstalls, --manifest.

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { cachedPath, pinnedFiles, startAddonMirror, warmAddonCache } from "../helpers/addon-cache.js";

const mac = useFakeMacs();
const status = async (m: FakeMac) => JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
const kubectl = (m: FakeMac, ...args: string[]) =>
  execFileSync("/usr/bin/kubectl", ["--kubeconfig", join(m.home, ".kube", "config"), ...args], { encoding: "utf8" });
const names = (m: FakeMac, kind: string) => kubectl(m, "get", kind, "-A", "--no-headers", "-o", "name");
const chainRows = (doc: { steps: { chain: string; id: string; status: string }[] }, chain: string) =>
  doc.steps.filter((s) => s.chain === chain).map((s) => [s.id, s.status]);

describe("addons from pinned upstream manifests", () => {
  it("metrics-server from the config: available with its APIService; a second install is a no-op; uninstall removes it; a tampered cache is refused", async () => {
    const m = mac();
    await warmAddonCache(m.env.KINA_HOME!);
    const config = join(m.home, "kina.yaml");
    writeFileSync(config, "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\naddons: [metrics-server]\n");
    const created = await m.kina(["create", "dev", "--config", config]);
    expect(created.code, created.stderr).toBe(0);
    const doc = await status(m);
    expect(doc.addons["metrics-server"]).toEqual({ status: "available" });
    const deploy = JSON.parse(kubectl(m, "get", "deployment", "-n", "kube-system", "metrics-server", "-o", "json"));
    expect(deploy.spec.template.spec.containers[0].image).toBe("registry.k8s.io/metrics-server/metrics-server:v0.9.0");
    expect(deploy.spec.template.spec.containers[0].args).toContain("--kubelet-insecure-tls");
    expect(kubectl(m, "get", "apiservice", "v1beta1.metrics.k8s.io", "-o", "jsonpath={.status.conditions[0].type}={.status.conditions[0].status}")).toBe("Available=True");

    const again = await m.kina(["install", "metrics-server", "dev"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).toContain('metrics-server is already installed on cluster "dev"; nothing to do.');

    const removed = await m.kina(["uninstall", "metrics-server", "dev"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(names(m, "deployments")).not.toContain("metrics-server");
    expect(names(m, "apiservices")).not.toContain("v1beta1.metrics.k8s.io");
    expect((await status(m)).addons["metrics-server"]).toBeUndefined();

    // Someone edits the cached release file: kina refuses it, naming the file, and applies nothing.
    const file = (await pinnedFiles()).find((f) => f.url.endsWith("metrics-server/v0.9.0/manifests/base/deployment.yaml"))!;
    const cached = cachedPath(m.env.KINA_HOME!, file);
    writeFileSync(cached, readFileSync(cached, "utf8").replace("--metric-resolution=15s", "--metric-resolution=1s"));
    const tampered = await m.kina(["install", "metrics-server", "dev"]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain(`the cached manifest ${cached} does not match its pinned sha256`);
    expect(names(m, "deployments")).not.toContain("metrics-server");
  });

  it("a never-available APIService fails kina install metrics-server naming it; kina retry addons finishes it once fixed", async () => {
    const m = mac();
    await warmAddonCache(m.env.KINA_HOME!);
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    m.kubeFaults({ apiServicesNeverAvailable: ["v1beta1.metrics.k8s.io"] });
    const failed = await m.kina(["install", "metrics-server", "dev", "--timeout", "available=2s"]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("APIService v1beta1.metrics.k8s.io is not Available (FailedDiscoveryCheck");
    const doc = await status(m);
    expect(doc.addons["metrics-server"].status).toBe("failed");
    expect(chainRows(doc, "install-metrics-server")).toEqual([["addonApplied", "done"], ["addonAvailable", "failed"]]);

    m.kubeFaults({});
    const retried = await m.kina(["retry", "addons", "dev"]);
    expect(retried.code, retried.stderr).toBe(0);
    const after = await status(m);
    expect(after.phase).toBe("ready");
    expect(after.addons["metrics-server"]).toEqual({ status: "available" });
    expect(chainRows(after, "install-metrics-server")).toEqual([["addonApplied", "done"], ["addonAvailable", "done"]]);
  });

  it("gateway downloads the Gateway API CRDs through a mirror, then Traefik programs the Gateway; uninstall removes CRDs last", async () => {
    const m = mac();
    const mirror = await startAddonMirror();
    try {
      expect((await m.kina(["create", "dev"])).code).toBe(0);
      const installed = await m.kina(["install", "gateway", "dev"], { env: { KINA_ADDON_MIRROR: mirror.url } });
      expect(installed.code, installed.stderr).toBe(0);
      expect(mirror.requests).toContain("/raw.githubusercontent.com/kubernetes-sigs/gateway-api/v1.6.1/config/crd/standard/gateway.networking.k8s.io_httproutes.yaml");
      expect(names(m, "crd")).toContain("httproutes.gateway.networking.k8s.io");
      expect(kubectl(m, "get", "gatewayclass", "traefik", "-o", "jsonpath={.status.conditions[0].type}={.status.conditions[0].status}")).toBe("Accepted=True");
      expect(kubectl(m, "get", "gateway", "-n", "traefik", "kina", "-o", "jsonpath={.spec.listeners[0].port}")).toBe("80");
      expect((await status(m)).addons.gateway).toEqual({ status: "available" });

      // Cached now: a second cluster's install needs no network (no mirror given, none reachable).
      const requests = mirror.requests.length;
      const removed = await m.kina(["uninstall", "gateway", "dev"]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(names(m, "crd")).not.toContain("gateway.networking.k8s.io");
      expect(names(m, "namespaces")).not.toContain("namespace/traefik");
      const offline = await m.kina(["install", "gateway", "dev"], { env: { KINA_ADDON_MIRROR: "http://127.0.0.1:9" } });
      expect(offline.code, offline.stderr).toBe(0);
      expect(mirror.requests.length).toBe(requests);
    } finally {
      await mirror.close();
    }
  });

  it("loadbalancer: a LoadBalancer Service gets the control plane's IP; uninstall stops the loop", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const installed = await m.kina(["install", "loadbalancer", "dev"]);
    expect(installed.code, installed.stderr).toBe(0);
    const ip = (await status(m)).nodes[0].ip as string;
    execFileSync("/usr/bin/kubectl", ["--kubeconfig", join(m.home, ".kube", "config"), "apply", "-f", "-"], {
      input: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\nspec:\n  type: LoadBalancer\n  selector: {app: web}\n  ports: [{port: 8080, targetPort: 80}]\n",
      encoding: "utf8",
    });
    // kubectl wait follows a watch until the loop has published the address (bounded by its timeout).
    kubectl(m, "wait", "service/web", `--for=jsonpath={.status.loadBalancer.ingress[0].ip}=${ip}`, "--timeout=30s");
    const ingress = kubectl(m, "get", "service", "web", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}");
    expect(ingress).toBe(ip);
    expect(m.container(["exec", "dev-control-plane", "systemctl", "is-active", "kina-lb.service"]).trim()).toBe("active");
    const removed = await m.kina(["uninstall", "loadbalancer", "dev"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(() => m.container(["exec", "dev-control-plane", "systemctl", "is-active", "kina-lb.service"])).toThrow();
  });

  it("ingress-nginx installs with the retirement warning", async () => {
    const m = mac();
    await warmAddonCache(m.env.KINA_HOME!);
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const installed = await m.kina(["install", "ingress-nginx", "dev"]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stderr).toContain("WARNING: ingress-nginx was retired in March 2026");
    expect(installed.stderr).toContain("kina install gateway");
    expect(names(m, "deployments")).toContain("ingress-nginx-controller");
    expect((await status(m)).addons["ingress-nginx"]).toEqual({ status: "available" });
  });

  it("--manifest FILE applies the user's own manifest, no checksum; uninstall deletes exactly it", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const own = join(m.home, "my-metrics.yaml");
    writeFileSync(
      own,
      [
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: mine\n",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: my-metrics\n  namespace: mine\nspec:\n  selector:\n    matchLabels: {app: m}\n  template:\n    metadata:\n      labels: {app: m}\n    spec:\n      tolerations: [{operator: Exists}]\n      containers: [{name: m, image: example.com/m:1}]\n",
      ].join("---\n"),
    );
    const installed = await m.kina(["install", "metrics-server", "dev", "--manifest", own]);
    expect(installed.code, installed.stderr).toBe(0);
    expect(names(m, "deployments")).toContain("my-metrics");
    expect(names(m, "deployments")).not.toContain("deployment.apps/metrics-server");
    expect((await status(m)).addons["metrics-server"]).toEqual({ status: "available", source: own });
    const removed = await m.kina(["uninstall", "metrics-server", "dev"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(names(m, "deployments")).not.toContain("my-metrics");
    expect(names(m, "namespaces")).not.toContain("namespace/mine");

    const missing = await m.kina(["install", "metrics-server", "dev", "--manifest", join(m.home, "nope.yaml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.yaml: no such file");
  });
});
