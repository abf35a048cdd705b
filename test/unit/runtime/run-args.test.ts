import { describe, expect, it } from "vitest";
import { buildRunArgs } from "../../../src/runtime/container.js";
import { InvalidArgumentError } from "../../../src/runtime/errors.js";
import { shellQuote } from "../../../src/runtime/shell.js";

describe("buildRunArgs", () => {
  it("builds the exact control-plane command, options before the image", () => {
    expect(
      buildRunArgs({
        name: "dev-control-plane",
        image: "kina/node:v1.35.5",
        cpus: 4,
        memory: "4g",
        labels: { "io.kina.cluster": "dev", "io.kina.role": "control-plane" },
        publish: [{ hostAddress: "127.0.0.1", hostPort: 6445, containerPort: 6443 }],
        network: "kina-dev",
      }),
    ).toEqual([
      "run", "-d", "--name", "dev-control-plane",
      "--cap-add", "ALL", "--masked-path", "NONE", "--read-only-path", "NONE",
      "-c", "4", "-m", "4g",
      "-l", "io.kina.cluster=dev", "-l", "io.kina.role=control-plane",
      "-p", "127.0.0.1:6445:6443",
      "--network", "kina-dev",
      "--progress", "none",
      "kina/node:v1.35.5",
    ]);
  });

  it("builds a minimal worker command without publish or network", () => {
    expect(buildRunArgs({ name: "dev-worker", image: "img:1", labels: { "io.kina.role": "worker" }, env: { KINA_X: "1" } })).toEqual([
      "run", "-d", "--name", "dev-worker",
      "--cap-add", "ALL", "--masked-path", "NONE", "--read-only-path", "NONE",
      "-l", "io.kina.role=worker", "-e", "KINA_X=1",
      "--progress", "none", "img:1",
    ]);
  });

  it("never emits flags Apple container lacks", () => {
    const args = buildRunArgs({ name: "n1", image: "i", labels: {} });
    for (const flag of ["--privileged", "--hostname", "--sysctl", "--restart"]) expect(args).not.toContain(flag);
  });

  it.each([
    [{ name: "-rm", image: "i", labels: {} }],
    [{ name: "a", image: "i", labels: {} }],
    [{ name: "bad name", image: "i", labels: {} }],
    [{ name: "n1", image: "i", labels: { "IO.Kina": "x" } }],
    [{ name: "n1", image: "--rm", labels: {} }],
    [{ name: "n1", image: "i", labels: {}, memory: "4 gigs" }],
    [{ name: "n1", image: "i", labels: {}, publish: [{ hostAddress: "127.0.0.1", hostPort: 70000, containerPort: 6443 }] }],
  ])("refuses invalid input %j", (spec) => {
    expect(() => buildRunArgs(spec)).toThrow(InvalidArgumentError);
  });
});

describe("shellQuote", () => {
  it("passes plain absolute paths through", () => {
    expect(shellQuote("/etc/kubernetes/kubeadm-config.yaml")).toBe("/etc/kubernetes/kubeadm-config.yaml");
  });

  it.each(["/tmp/a b", "/tmp/$(id)", "/tmp/x;rm -rf /", "/tmp/'q'", "", "-n", "/tmp/`x`", "/tmp/*"])("refuses %j", (path) => {
    expect(() => shellQuote(path)).toThrow(InvalidArgumentError);
  });
});
