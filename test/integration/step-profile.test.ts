// Every step's own profile in `kina status --json`: how long its last attempt took and how many
// `container` processes it started, so a real macOS run reports where its time went.

import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

describe("the step profile", () => {
  it("gives every done step its duration and container calls, which add up to the calls the double answered", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], {
      input: "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n",
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    const done = doc.steps.filter((s: { status: string }) => s.status === "done");
    expect(done.map((s: { id: string }) => s.id)).toContain("nodesJoined");
    for (const s of done) {
      expect(s.durationMs, s.id).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(s.containerCalls), s.id).toBe(true);
    }
    expect(done.find((s: { id: string }) => s.id === "vmRunning").containerCalls).toBeGreaterThan(0);

    // Before the first step, create asks the host once (preflight: version, service status);
    // every later call belongs to a step. `status` itself made one `container list`, after the create.
    const firstStep = Date.parse(doc.steps.find((s: { id: string }) => s.id === "imageBuilt").startedAt);
    const created = Date.parse(doc.steps.find((s: { id: string }) => s.id === "addonsReady").finishedAt);
    const calls = m.containerCalls();
    const inSteps = calls.filter((c) => c.start >= firstStep - 1 && c.end <= created + 1);
    const sum = done.reduce((n: number, s: { containerCalls: number }) => n + s.containerCalls, 0);
    expect(sum).toBe(inSteps.length);
    expect(calls.filter((c) => c.end < firstStep).map((c) => c.argv[0])).toEqual(expect.arrayContaining(["--version"]));
  });
});
