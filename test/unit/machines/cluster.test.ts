// The cluster machine as data: generated from the registry, every chain and step present, the
// events each settled state can take, and how a persisted snapshot is read back.

import { describe, expect, it } from "vitest";
import { createActor } from "xstate";
import { clusterMachine, skippedSteps } from "../../../machines/cluster.js";
import { phaseOf, positionOf } from "../../../machines/position.js";
import { CHAIN_IDS, chainSteps, resolveStep, STEP_IDS, stepModuleName } from "../../../machines/workflows.js";

const topology = { controlPlanes: 1, workers: 0, cni: "kindnet" as const };

function at(value: string, context: Record<string, unknown> = {}) {
  const snapshot = clusterMachine.resolveState({ value, context: { topology, ...context } });
  return createActor(clusterMachine, { input: { topology }, snapshot }).getSnapshot();
}

describe("the machine generated from the registry", () => {
  it("has a state for every chain and, inside it, every step of that chain", () => {
    const states = clusterMachine.root.states;
    for (const chain of CHAIN_IDS) {
      expect(Object.keys(states[chain]!.states)).toEqual([...chainSteps(chain).map((s) => s.id), "complete"]);
      for (const s of chainSteps(chain)) expect(Object.keys(states[chain]!.states[s.id]!.states)).toEqual(["checking", "running", "skipped", "done"]);
    }
  });

  it("settled states take only what makes sense", () => {
    const ready = at("ready");
    expect(ready.can({ type: "RESUME" })).toBe(false);
    expect(ready.can({ type: "START" })).toBe(false);
    expect(ready.can({ type: "STOP" })).toBe(true);
    expect(ready.can({ type: "RETRY", step: "cniInstalled" })).toBe(true);
    expect(ready.can({ type: "RETRY", step: "vmsStarted" })).toBe(false);

    const stopped = at("stopped");
    expect(stopped.can({ type: "START" })).toBe(true);
    expect(stopped.can({ type: "RESUME" })).toBe(true);
    expect(stopped.can({ type: "STOP" })).toBe(false);

    const failedBootstrap = at("failed", { failure: { chain: "bootstrap", step: "cniInstalled", error: "x" } });
    expect(failedBootstrap.can({ type: "RESUME" })).toBe(true);
    expect(failedBootstrap.can({ type: "START" })).toBe(false);
    expect(failedBootstrap.can({ type: "STOP" })).toBe(false);

    const failedStart = at("failed", { failure: { chain: "start", step: "nodesReady", error: "x" } });
    expect(failedStart.can({ type: "START" })).toBe(true);
    expect(failedStart.can({ type: "STOP" })).toBe(true);
    expect(failedStart.can({ type: "RETRY", step: "nodesReady" })).toBe(true);
    expect(failedStart.can({ type: "RETRY", step: "cniInstalled" })).toBe(false);
    for (const s of [ready, stopped, failedStart]) expect(s.hasTag("settled")).toBe(true);
  });

  it("skip rules come from one place", () => {
    expect([...skippedSteps("bootstrap", topology).keys()]).toEqual(["nodesJoined"]);
    expect([...skippedSteps("bootstrap", { controlPlanes: 1, workers: 2, cni: "none" }).keys()]).toEqual(["untainted", "cniInstalled"]);
  });
});

describe("reading a persisted snapshot", () => {
  it("names the chain, step and stage, and the phase", () => {
    const p = positionOf({ value: { start: { nodesReady: "running" } } });
    expect(p).toEqual({ kind: "chain", chain: "start", step: "nodesReady", stage: "running" });
    expect(phaseOf(p)).toBe("starting");
    expect(phaseOf(positionOf({ value: "stopped" }))).toBe("stopped");
    expect(phaseOf(positionOf(undefined))).toBe("bootstrapping");
    expect(() => positionOf({ value: { bootstrap: { notAStep: "running" } } })).toThrow(/unknown step "notAStep"/);
  });
});

describe("the registry", () => {
  it("short names and ids resolve, and every step has its module name", () => {
    expect(resolveStep("cni")).toBe("cniInstalled");
    expect(resolveStep("CNIINSTALLED")).toBe("cniInstalled");
    expect(resolveStep("boot")).toBe("vmsStarted");
    expect(resolveStep("nope")).toBeUndefined();
    expect(stepModuleName("kubeconfigExported")).toBe("kubeconfig-exported");
    expect(new Set(STEP_IDS.map((id) => resolveStep(id))).size).toBe(STEP_IDS.length);
  });

  it("every step has its implementation at src/steps/<kebab-case id> with run and verify", async () => {
    // The built driver: the same lazy import the CLI does.
    const { loadStep } = await import("../../../dist/src/steps/driver.js");
    for (const id of STEP_IDS) {
      const step = await loadStep(id);
      expect(typeof step.run, id).toBe("function");
      expect(typeof step.verify, id).toBe("function");
    }
  });
});
