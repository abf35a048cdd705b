// kind's extraPortMappings and extraMounts reach `container run` as --publish, --mount and
// --volume (read by the container double exactly as Apple's parser would), and mappings the
// runtime would refuse are usage errors before anything is created.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

function config(host: string): string {
  return `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
- role: control-plane
  extraPortMappings:
  - containerPort: 80
    hostPort: 8080
    protocol: TCP
  - containerPort: 53
    hostPort: 5353
    listenAddress: 127.0.0.1
    protocol: UDP
  - containerPort: 443
  extraMounts:
  - hostPath: ${host}/share
    containerPath: /share
  - hostPath: ${host}/share
    containerPath: /share-ro
    readOnly: true
  - hostPath: ${host}/one-file.txt
    containerPath: /etc/one-file.txt
    readOnly: true
`;
}

describe("extraPortMappings and extraMounts", () => {
  it("become the node VM's published ports and mounts", async () => {
    const m = mac();
    mkdirSync(join(m.root, "share"));
    writeFileSync(join(m.root, "one-file.txt"), "hello\n");
    const r = await m.kina(["create", "dev", "--config", "-"], { input: config(m.root) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("not applied");
    const vm = m.containers().find((c) => c.id === "dev-control-plane")!;
    const ports = vm.raw.configuration.publishedPorts as { hostAddress: string; hostPort: number; containerPort: number; proto: string }[];
    expect(ports).toContainEqual(expect.objectContaining({ hostAddress: "0.0.0.0", hostPort: 8080, containerPort: 80, proto: "tcp" }));
    expect(ports).toContainEqual(expect.objectContaining({ hostAddress: "127.0.0.1", hostPort: 5353, containerPort: 53, proto: "udp" }));
    // No hostPort: a free one was chosen, and the API port is still there.
    const https = ports.find((p) => p.containerPort === 443)!;
    expect(https.hostPort).toBeGreaterThan(1023);
    expect(ports.some((p) => p.containerPort === 6443 && p.hostAddress === "127.0.0.1")).toBe(true);

    const mounts = vm.raw.configuration.mounts as { source: string; destination: string; options: string[] }[];
    const at = (d: string) => mounts.find((x) => x.destination === d)!;
    expect(at("/share").source).toBe(join(m.root, "share"));
    expect(at("/share").options).not.toContain("ro");
    expect(at("/share-ro").options).toContain("ro");
    expect(at("/etc/one-file.txt").source).toBe(join(m.root, "one-file.txt"));
    expect(at("/etc/one-file.txt").options).toContain("ro");
  });

  it.each([
    ["a missing host path", (root: string) => `  extraMounts:\n  - hostPath: ${root}/nope\n    containerPath: /x\n`, "extraMounts[0].hostPath"],
    ["SCTP", () => `  extraPortMappings:\n  - containerPort: 80\n    protocol: SCTP\n`, "SCTP is not supported"],
    [
      "a host port mapped twice",
      () => `  extraPortMappings:\n  - containerPort: 80\n    hostPort: 8080\n  - containerPort: 81\n    hostPort: 8080\n`,
      "mapped twice",
    ],
  ])("%s is a usage error and nothing is created", async (_what, body, message) => {
    const m = mac();
    const text = `kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n${body(m.root)}`;
    const r = await m.kina(["create", "dev", "--config", "-"], { input: text });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(m.containers()).toEqual([]);
  });
});
