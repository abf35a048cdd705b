import { describe, expect, it } from "vitest";
import {
  containerListSchema,
  imageListSchema,
  ipv4Of,
  isServiceRunning,
  networkListSchema,
  systemStatusSchema,
} from "../../../src/runtime/schemas.js";
import { fixture } from "./stub-cli.js";

const parse = <T>(schema: { parse: (v: unknown) => T }, file: string): T => schema.parse(JSON.parse(fixture(file)));

describe("container list/inspect JSON (1.x ManagedContainer)", () => {
  it("reads a running node: state, labels, resources, published port and IPv4 without prefix", () => {
    const raw = fixture("container-inspect-running.json");
    expect(raw).toContain("192.168.64.3\\/24"); // Foundation escapes slashes
    const [node] = parse(containerListSchema, "container-inspect-running.json");
    expect(node).toBeDefined();
    expect(node!.id).toBe("dev-control-plane");
    expect(node!.status.state).toBe("running");
    expect(node!.configuration.labels).toEqual({ "io.kina.cluster": "dev", "io.kina.role": "control-plane" });
    expect(node!.configuration.image.reference).toBe("docker.io/kindest/node:v1.35.5");
    expect(node!.configuration.resources).toMatchObject({ cpus: 4, memoryInBytes: 4294967296 });
    expect(node!.configuration.publishedPorts).toEqual([
      { containerPort: 6443, count: 1, hostAddress: "127.0.0.1", hostPort: 6445, proto: "tcp" },
    ]);
    expect(node!.status.networks[0]?.hostname).toBe("dev-control-plane.test.");
    expect(ipv4Of(node!)).toBe("192.168.64.3");
  });

  it("reads a stopped node with empty status.networks and no IP", () => {
    const [node] = parse(containerListSchema, "container-inspect-stopped.json");
    expect(node!.status.state).toBe("stopped");
    expect(node!.status.networks).toEqual([]);
    expect(node!.status.startedDate).toBeUndefined();
    expect(ipv4Of(node!)).toBeUndefined();
  });

  it("reads the compact single-line `list --all` output with both states", () => {
    const nodes = parse(containerListSchema, "container-list-all.json");
    expect(nodes.map((n) => [n.id, n.status.state, ipv4Of(n)])).toEqual([
      ["dev-control-plane", "running", "192.168.64.3"],
      ["dev-worker", "stopped", undefined],
    ]);
  });

  it("tolerates fields a newer release adds, and drops them", () => {
    const [node] = JSON.parse(fixture("container-inspect-running.json")) as Array<Record<string, any>>;
    node!["futureTopLevel"] = { x: 1 };
    node!["configuration"]["newKnob"] = true;
    node!["status"]["networks"][0]["newField"] = "v";
    const [parsed] = containerListSchema.parse([node]);
    expect(ipv4Of(parsed!)).toBe("192.168.64.3");
    expect(parsed).not.toHaveProperty("futureTopLevel");
  });

  it("rejects a document missing a field kina reads (status.state) and the 0.x shape", () => {
    const [node] = JSON.parse(fixture("container-inspect-running.json")) as Array<Record<string, any>>;
    delete node!["status"]["state"];
    expect(containerListSchema.safeParse([node]).success).toBe(false);
    const zeroX = [{ configuration: node!["configuration"], networks: [], status: "running" }];
    expect(containerListSchema.safeParse(zeroX).success).toBe(false);
  });
});

describe("image inspect JSON (1.x ImageResource)", () => {
  it("reads the normalized name, index digest and variant platforms", () => {
    const [image] = parse(imageListSchema, "image-inspect.json");
    expect(image!.configuration.name).toBe("docker.io/kindest/node:v1.35.5");
    expect(image!.configuration.descriptor.digest).toMatch(/^sha256:ce977ae6/);
    expect(image!.variants[0]?.platform).toEqual({ architecture: "arm64", os: "linux", variant: "v8" });
    expect(image!.variants[0]?.config?.config?.StopSignal).toBe("SIGRTMIN+3");
  });
});

describe("network list JSON (1.x NetworkResource)", () => {
  it("reads names, labels, mode and the vmnet-chosen subnet", () => {
    const networks = parse(networkListSchema, "network-list.json");
    expect(networks.map((n) => [n.id, n.configuration.mode, n.status?.ipv4Subnet])).toEqual([
      ["default", "nat", "192.168.64.0/24"],
      ["kina-dev", "nat", "192.168.65.0/24"],
    ]);
    expect(networks[1]!.configuration.labels).toEqual({ "io.kina.cluster": "dev" });
  });
});

describe("system status JSON", () => {
  it("reads a running apiserver", () => {
    const status = parse(systemStatusSchema, "system-status-running.json");
    expect(isServiceRunning(status)).toBe(true);
    expect(status.serverVersion).toBe("1.2.2");
  });

  it("reads 1.4.1's nested document (server, client, paths), with `/` unescaped", () => {
    const status = parse(systemStatusSchema, "system-status-1.4.1-running.json");
    expect(isServiceRunning(status)).toBe(true);
    expect(status).toEqual({
      status: "running",
      serverVersion: "1.4.1",
      clientVersion: "1.4.1",
      appRoot: "/Users/u/Library/Application Support/com.apple.container/",
    });
  });

  it("reads 1.4.1's stopped answer, which carries only `status`", () => {
    const status = parse(systemStatusSchema, "system-status-1.4.1-not-running.json");
    expect(status).toEqual({ status: "not running" });
    expect(isServiceRunning(status)).toBe(false);
  });

  it("reads the unregistered document with empty strings", () => {
    const status = parse(systemStatusSchema, "system-status-unregistered.json");
    expect(status.status).toBe("unregistered");
    expect(isServiceRunning(status)).toBe(false);
  });
});
