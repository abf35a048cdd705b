// Bad input, generated: configs broken in one place (unknown fields, wrong types, bad or
// overlapping subnets, bad roles, no control plane, bad names, durations and sizes) are refused
// with a usage error naming the field. The large runs go through the same parse → name → resolve
// path `kina create` takes, in-process; samples of every kind go through the built binary, which
// must exit 2, call `container` not once and write no state folder. Then: a `container` that prints
// truncated, non-JSON or wrongly shaped output, or exits with a code nobody expects, fails the step
// with a typed error and its output in the step log, never a stack trace.

import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseConfigText } from "../../src/config/load.js";
import { MAX_NAME_LENGTH, pickClusterName, resolveConfig, UsageError } from "../../src/config/resolve.js";
import { ClusterConfigFile, NetworkingConfig, NodeConfig } from "../../src/config/schema.js";
import { parseDuration } from "../../src/config/duration.js";
import { parseSizeMiB } from "../../src/config/size.js";
import { pinnedImageOptions } from "../../src/image/nodeImage.js";
import { CONTAINER_DOUBLE, useFakeMacs } from "../helpers/fake-mac.js";

type Doc = Record<string, any>;
interface Broken {
  kind: string;
  doc: Doc;
  /** What the error must name: the field path as the user reads it. */
  field: string;
}

// --- a valid config, then one thing broken ---------------------------------------------------

const base: fc.Arbitrary<Doc> = fc.record({
  workers: fc.integer({ min: 0, max: 2 }),
  networking: fc.boolean(),
  cpus: fc.option(fc.integer({ min: 1, max: 64 }), { nil: undefined }),
}).map(({ workers, networking, cpus }) => {
  const doc: Doc = {
    apiVersion: "kina.x-k8s.io/v1alpha4",
    kind: "Cluster",
    nodes: [{ role: "control-plane", ...(cpus ? { cpus } : {}) }, ...Array.from({ length: workers }, () => ({ role: "worker" }))],
  };
  if (networking) doc.networking = { podSubnet: "10.244.0.0/16", serviceSubnet: "10.96.0.0/16" };
  return doc;
});

const clone = (d: Doc): Doc => structuredClone(d);
const word = fc.stringMatching(/^[a-z][a-zA-Z0-9]{1,14}$/);
const notA = (type: "number" | "boolean" | "string" | "object") =>
  fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })).filter((v) =>
    type === "object" ? v === null || typeof v !== "object" || Array.isArray(v) : v === null || typeof v !== type,
  );
const octet = fc.integer({ min: 0, max: 255 });
const validCidr = (text: string) => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  return !!m && m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
};
const badCidr = fc
  .oneof(
    fc.string({ maxLength: 20 }),
    fc.tuple(fc.integer({ min: 256, max: 999 }), octet).map(([a, b]) => `${a}.${b}.0.0/16`),
    fc.tuple(octet, fc.integer({ min: 33, max: 99 })).map(([a, m]) => `10.${a}.0.0/${m}`),
    fc.tuple(octet, octet).map(([a, b]) => `10.${a}.${b}.0`),
    fc.tuple(octet, octet).map(([a, b]) => `10.${a}.${b}.0.0/16`),
  )
  .filter((s) => !validCidr(s));

const unknownField: fc.Arbitrary<Broken> = fc
  .tuple(base, fc.constantFrom("", "networking", "nodes[0]"), word, fc.jsonValue())
  .filter(([, where, key]) => !Object.keys((where === "" ? ClusterConfigFile : where === "networking" ? NetworkingConfig : NodeConfig).shape).includes(key))
  .map(([d, where, key, value]) => {
    const doc = clone(d);
    if (where === "") doc[key] = value;
    else if (where === "networking") doc.networking = { ...(doc.networking ?? {}), [key]: value };
    else doc.nodes[0][key] = value;
    return { kind: "unknown field", doc, field: `${where ? `${where}.` : ""}${key}: unknown field` };
  });

const wrongType: fc.Arbitrary<Broken> = fc.oneof(
  fc.tuple(base, notA("number")).map(([d, v]) => ({ ...set(d, ["nodes", 0, "cpus"], v), field: "nodes[0].cpus" })),
  fc.tuple(base, notA("number")).map(([d, v]) => ({ ...set(d, ["networking", "apiServerPort"], v), field: "networking.apiServerPort" })),
  fc.tuple(base, notA("boolean")).map(([d, v]) => ({ ...set(d, ["networking", "disableDefaultCNI"], v), field: "networking.disableDefaultCNI" })),
  fc.tuple(base, notA("object")).map(([d, v]) => ({ ...set(d, ["nodes", 0, "labels"], v), field: "nodes[0].labels" })),
  fc.tuple(base, word, notA("boolean")).map(([d, gate, v]) => ({ ...set(d, ["featureGates", gate], v), field: `featureGates.${gate}` })),
  fc.tuple(base, fc.oneof(fc.integer({ min: 65536 }), fc.integer({ max: -1 }), fc.double({ min: 1, max: 60000, noInteger: true }))).map(([d, v]) => ({
    ...set(d, ["networking", "apiServerPort"], v),
    field: "networking.apiServerPort",
  })),
).map((b) => ({ ...b, kind: "wrong type" }));

function set(d: Doc, path: (string | number)[], value: unknown): { doc: Doc } {
  const doc = clone(d);
  let at: any = doc;
  for (const key of path.slice(0, -1)) at = at[key] ??= {};
  at[path.at(-1)!] = value;
  return { doc };
}

const badSubnet: fc.Arbitrary<Broken> = fc.oneof(
  fc.tuple(base, fc.constantFrom("podSubnet", "serviceSubnet"), badCidr).map(([d, field, v]) => ({ ...set(d, ["networking", field], v), field: `networking.${field}` })),
  // The service range inside the pod range (or around it).
  fc.tuple(base, octet, fc.integer({ min: 8, max: 24 }), fc.integer({ min: 12, max: 30 })).map(([d, a, podBits, serviceBits]) => {
    const doc = clone(d);
    doc.networking = { podSubnet: `10.${a}.0.0/${podBits}`, serviceSubnet: `10.${a}.0.0/${serviceBits}` };
    return { doc, field: "networking.serviceSubnet" };
  }),
  // Only the service subnet given, overlapping the default pod subnet 10.244.0.0/16.
  fc.tuple(base, fc.integer({ min: 16, max: 28 })).map(([d, bits]) => ({ ...set(d, ["networking"], { serviceSubnet: `10.244.0.0/${bits}` }), field: "networking.serviceSubnet" })),
  // Smaller than one node's /24, or larger than kubeadm takes for services.
  fc.tuple(base, fc.integer({ min: 25, max: 32 })).map(([d, bits]) => ({ ...set(d, ["networking", "podSubnet"], `10.250.0.0/${bits}`), field: "networking.podSubnet" })),
  fc.tuple(base, fc.integer({ min: 1, max: 11 })).map(([d, bits]) => ({ ...set(d, ["networking"], { podSubnet: "172.16.0.0/16", serviceSubnet: `10.0.0.0/${bits}` }), field: "networking.serviceSubnet" })),
).map((b) => ({ ...b, kind: "bad subnet" }));

const badRole: fc.Arbitrary<Broken> = fc
  .tuple(base, fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom("master", "controlplane", "Control-Plane", "node", "Worker")))
  .filter(([, role]) => role !== "control-plane" && role !== "worker")
  .map(([d, role]) => {
    const doc = clone(d);
    const i = doc.nodes.length - 1;
    doc.nodes[i].role = role;
    return { kind: "bad role", doc, field: `nodes[${i}].role` };
  });

const noControlPlane: fc.Arbitrary<Broken> = fc.tuple(base, fc.integer({ min: 0, max: 3 })).map(([d, workers]) => {
  const doc = clone(d);
  doc.nodes = Array.from({ length: workers }, () => ({ role: "worker" }));
  return { kind: "zero control planes", doc, field: "nodes" };
});

const badName: fc.Arbitrary<Broken> = fc
  .tuple(
    base,
    fc.oneof(
      fc.stringMatching(/^[a-z0-9]{1,70}$/).map((s) => s.padEnd(MAX_NAME_LENGTH + 1, "x")),
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s)),
      fc.constantFrom("Dev", "dev_1", "-dev", "dev-", "dev.local", "dév", " dev"),
    ),
  )
  .map(([d, name]) => ({ kind: "bad name", doc: { ...clone(d), name }, field: "invalid cluster name" }));

const badDuration: fc.Arbitrary<Broken> = fc
  .tuple(base, fc.constantFrom("cni", "kubeadmInit", "vm"), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("90", "5 m", "-1m", "1y", "m5", "1.5.5s")))
  .filter(([, , v]) => parseDuration(v) === undefined)
  .map(([d, step, v]) => ({ kind: "bad duration", ...set(d, ["timeouts", step], v), field: `timeouts.${step}` }));

const badSize: fc.Arbitrary<Broken> = fc
  .tuple(base, fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.constantFrom("4096", "4gb", "4 g", "-1g", "0m", "100m", "1.5", "g")))
  .filter(([, v]) => typeof v !== "string" || parseSizeMiB(v) === undefined || parseSizeMiB(v)! < 200)
  .map(([d, v]) => ({ kind: "bad size", ...set(d, ["nodes", 0, "memory"], v), field: "nodes[0].memory" }));

const KINDS = { unknownField, wrongType, badSubnet, badRole, noControlPlane, badName, badDuration, badSize };

/** What `kina create [dev] --config -` does with the text before anything is created. */
function resolveLikeCreate(text: string, positional: string | undefined) {
  const file = parseConfigText(text, "config from stdin");
  const name = pickClusterName(positional, undefined, {}, file.name);
  return resolveConfig(file, { name, ...pinnedImageOptions(), switchContext: true, warn: () => {} });
}

const positionalFor = (b: Broken) => (b.kind === "bad name" ? undefined : "dev");

describe("bad configs, in-process (the path create takes)", () => {
  it("the valid configs the generators start from resolve", () => {
    fc.assert(fc.property(base, (doc) => void resolveLikeCreate(stringify(doc), "dev")), { numRuns: 50 });
  });

  for (const [label, arbitrary] of Object.entries(KINDS)) {
    it(`${label}: a usage error naming the field`, () => {
      fc.assert(
        fc.property(arbitrary, (b) => {
          let error: unknown;
          try {
            resolveLikeCreate(stringify(b.doc), positionalFor(b));
          } catch (e) {
            error = e;
          }
          expect(error, stringify(b.doc)).toBeInstanceOf(UsageError);
          expect((error as Error).message, stringify(b.doc)).toContain(b.field);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe("bad input, through the binary", () => {
  const mac = useFakeMacs();

  /** A `container` that notes every call before it runs the double: create must make none. */
  function recordingContainer(root: string): { path: string; calls: () => string[] } {
    const log = join(root, "container-calls.log");
    const path = join(root, "container");
    writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec '${CONTAINER_DOUBLE}' "$@"\n`);
    chmodSync(path, 0o755);
    return { path, calls: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
  }

  it("a sample of every kind exits 2 naming the field, calls `container` never, writes no state", { timeout: 180_000 }, async () => {
    const m = mac();
    const container = recordingContainer(m.root);
    // A fixed seed: the same samples every run, two of each kind.
    const samples = Object.values(KINDS).flatMap((a) => fc.sample(a, { numRuns: 2, seed: 12 }));
    for (const b of samples) {
      const text = stringify(b.doc);
      const args = ["create", ...(positionalFor(b) ? [positionalFor(b)!] : []), "--config", "-"];
      const r = await m.kina(args, { input: text, env: { KINA_CONTAINER: container.path } });
      expect(r.code, `${b.kind}:\n${text}\n${r.stderr}`).toBe(2);
      expect(r.stderr, text).toContain(b.field);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    }
    expect(container.calls()).toEqual([]);
    expect(existsSync(join(m.env.KINA_HOME!, "clusters"))).toBe(false);
  });

  it("bad names on the command line and in --timeout flags too", async () => {
    const m = mac();
    const container = recordingContainer(m.root);
    const cases: [string[], string][] = [
      [["create", "a".repeat(MAX_NAME_LENGTH + 1)], "invalid cluster name"],
      [["create", "Dev_1"], "DNS-1123"],
      [["create", "dev", "--timeout", "cni=5parsecs"], '--timeout cni=5parsecs: "5parsecs" is not a duration'],
      [["create", "dev", "--timeout", "cnii=5m"], 'unknown step "cnii"'],
    ];
    for (const [args, message] of cases) {
      const r = await m.kina(args, { env: { KINA_CONTAINER: container.path } });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(container.calls()).toEqual([]);
    expect(existsSync(join(m.env.KINA_HOME!, "clusters"))).toBe(false);
  });

  it("an unknown `kina retry` step lists the valid ones", async () => {
    const m = mac();
    const r = await m.kina(["retry", "kubeadm-init", "dev"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown step "kubeadm-init"; allowed: ');
    for (const short of ["image", "vm", "kubeadm", "kubeconfig", "join", "untaint", "cni", "addons"]) expect(r.stderr).toContain(short);
    expect(r.stderr).toContain("kubeadmInit");
  });
});

describe("a `container` whose output kina cannot read", () => {
  const mac = useFakeMacs();
  const cases: { label: string; rule: Doc; step: string; message: string }[] = [
    {
      label: "truncated JSON from `image inspect`",
      rule: { argv: ["image", "inspect"], times: 1, exitCode: 0, stdout: '[{"name":"kina/node:v1.3' },
      step: "imageBuilt",
      message: "printed output kina cannot read (not JSON)",
    },
    {
      label: "text that is not JSON from `inspect`",
      rule: { argv: ["inspect", "dev-control-plane"], times: 1, exitCode: 0, stdout: "dev-control-plane  running  192.168.64.3\n" },
      step: "vmRunning",
      message: "printed output kina cannot read (not JSON)",
    },
    {
      label: "JSON of another shape from `inspect`",
      rule: { argv: ["inspect", "dev-control-plane"], times: 1, exitCode: 0, stdout: '[{"name":"dev-control-plane"}]' },
      step: "vmRunning",
      message: "printed output kina cannot read (not the JSON kina expects: [0].id: expected string",
    },
    {
      label: "an exit code nobody expects from `run`",
      rule: { argv: ["run"], times: 1, exitCode: 139, stderr: "Segmentation fault: 11" },
      step: "vmRunning",
      message: "failed with exit code 139",
    },
  ];
  for (const { label, rule, step, message } of cases) {
    it(`${label}: ${step} fails with a typed error, the output in the step log, no stack trace; resume completes`, { timeout: 180_000 }, async () => {
      const m = mac();
      m.faults([rule]);
      const r = await m.kina(["create", "dev"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`ERROR: ${step} failed: `);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toMatch(/SyntaxError|ZodError|TypeError/);
      const rec = m.state().steps.bootstrap[step];
      expect(rec.status).toBe("failed");
      const log = readFileSync(rec.attempts.at(-1).log, "utf8");
      // The output as `container` printed it, for the user to see what came back.
      const printed = (rule.stdout ?? rule.stderr) as string;
      expect(log).toContain(printed.trim());
      expect(log).toContain(`kina: ${step} failed: `);

      const resumed = await m.kina(["resume", "dev"]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);
    });
  }
});
