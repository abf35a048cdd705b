// kind's `--wait`: `kina create --wait 0` returns once the kubeconfig is exported; the rest of the
// chain finishes in a background `kina resume`, visible in `kina status`.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

describe("create --wait", () => {
  it("--wait 0 returns after the kubeconfig is exported and the bootstrap finishes in the background", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--wait", "0"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("goes on in the background");
    expect(r.stderr).toContain("kina status dev --graph");
    expect(existsSync(join(m.home, ".kube", "config"))).toBe(true);
    // The foreground run stopped before the CNI was installed.
    const right = m.state().steps.bootstrap;
    expect(right.kubeconfigExported.status).toBe("done");
    expect(right.addonsReady?.status ?? "pending").not.toBe("done");

    // The background resume takes the lock and finishes the chain on its own.
    // Right away, status shows the background work as bootstrapping, not as the interrupted step it took over.
    expect(["bootstrapping", "ready"]).toContain(JSON.parse((await m.kina(["status", "dev", "--json"])).stdout).phase);
    // Polling status is what a user does; the test's own timeout bounds it.
    let phase = "";
    while (phase !== "ready" && phase !== "failed") {
      phase = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout).phase;
    }
    const log = join(m.env.KINA_HOME!, "clusters", "dev", "logs", "background-resume.log");
    expect(phase, existsSync(log) ? readFileSync(log, "utf8") : "no background log").toBe("ready");
    const status = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(status.steps.every((s: { status: string }) => s.status === "done" || s.status === "skipped")).toBe(true);
  });

  it("a --wait that is not a duration is a usage error and creates nothing", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--wait", "soon"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--wait soon");
    expect(m.containers()).toEqual([]);
  });
});
