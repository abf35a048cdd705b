// kina on Apple `container` 1.4.1, the current release: its nested `system status` JSON and its
// unescaped `/` in JSON (reference §13). The double imitates 1.4.1 with KINA_FAKE_CONTAINER_VERSION.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

describe("container 1.4.1", () => {
  it("the double answers in 1.4.1's shapes", () => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: "1.4.1" });
    const status = m.container(["system", "status", "--format", "json"]);
    expect(JSON.parse(status)).toMatchObject({ status: "running", server: { version: "1.4.1" }, client: { version: "1.4.1" } });
    expect(status).not.toContain("\\/");
  });

  it("a whole create ends ready, and stop/start work", async () => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: "1.4.1" });
    const r = await m.kina(["create", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect((await m.kina(["stop", "dev"])).code).toBe(0);
    const started = await m.kina(["start", "dev"]);
    expect(started.code, started.stderr).toBe(0);
  });

  it("a stopped service (status alone in the JSON) gets the documented fix and creates nothing", async () => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: "1.4.1" });
    m.container(["system", "stop"]);
    const r = await m.kina(["create", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("container system start");
    expect(r.stderr).not.toContain("cannot read");
    expect(existsSync(join(m.env.KINA_HOME!, "clusters", "dev"))).toBe(false);
  });
});
