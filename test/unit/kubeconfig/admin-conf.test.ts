import { describe, expect, test } from "vitest";
import { fromAdminConf, KubeconfigError, withServer } from "../../../src/kube/kubeconfig/index.js";
import { ADMIN_CONF, SERVER, parseJson } from "./fixtures.js";

describe("fromAdminConf", () => {
  test("names cluster, user and context kina-<cluster>, points at the host endpoint, keeps credentials", () => {
    const config = parseJson(fromAdminConf(ADMIN_CONF, { cluster: "dev", server: SERVER }));
    expect(config).toEqual({
      apiVersion: "v1",
      kind: "Config",
      preferences: {},
      "current-context": "kina-dev",
      clusters: [{ name: "kina-dev", cluster: { "certificate-authority-data": "Q0EtREFUQS1GT1ItVEVTVFM=", server: SERVER } }],
      contexts: [{ name: "kina-dev", context: { cluster: "kina-dev", user: "kina-dev" } }],
      users: [
        {
          name: "kina-dev",
          user: { "client-certificate-data": "Q0xJRU5ULUNFUlQtREFUQQ==", "client-key-data": "Q0xJRU5ULUtFWS1EQVRB" },
        },
      ],
    });
  });

  test("keeps every other field of the cluster, user and context entries", () => {
    const admin = ADMIN_CONF.replace("    server: https://192.168.64.3:6443\n", "    server: https://192.168.64.3:6443\n    tls-server-name: kubernetes\n")
      .replace("    user: kubernetes-admin\n", "    user: kubernetes-admin\n    namespace: kube-system\n")
      .replace("    client-key-data: Q0xJRU5ULUtFWS1EQVRB\n", "    client-key-data: Q0xJRU5ULUtFWS1EQVRB\n    token: \"0123\"\n");
    const config = parseJson(fromAdminConf(admin, { cluster: "dev", server: SERVER }));
    expect(config.clusters?.[0]).toMatchObject({ cluster: { "tls-server-name": "kubernetes", server: SERVER } });
    expect(config.contexts?.[0]).toMatchObject({ context: { namespace: "kube-system", cluster: "kina-dev" } });
    // Quoted in the source, so it must stay a string for kubectl too.
    expect(config.users?.[0]).toMatchObject({ user: { token: "0123" } });
  });

  test("writes entries the way kubectl does, so users see familiar files", () => {
    const text = fromAdminConf(ADMIN_CONF, { cluster: "dev", server: SERVER });
    expect(text).toMatch(/^clusters:\n- cluster:\n/m);
    expect(text).toMatch(/^users:\n- name: kina-dev\n {2}user:\n/m);
    expect(Object.keys(parseJson(text))).toEqual([
      "apiVersion",
      "clusters",
      "contexts",
      "current-context",
      "kind",
      "preferences",
      "users",
    ]);
  });

  test.each([
    ["not YAML", "clusters: [\n", /not valid YAML/],
    ["empty", "", /empty/],
    ["a list", "- a\n- b\n", /not a kubeconfig/],
    ["another kind", "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", /kind "Pod"/],
    ["two clusters", ADMIN_CONF.replace("clusters:\n", "clusters:\n- cluster: {server: https://x}\n  name: other\n"), /exactly one entry in "clusters", it has 2/],
    ["no users", ADMIN_CONF.replace(/users:[\s\S]*$/, "users: []\n"), /exactly one entry in "users", it has 0/],
    ["no server", ADMIN_CONF.replace("    server: https://192.168.64.3:6443\n", ""), /no server/],
    ["a user entry without user", ADMIN_CONF.replace(/ {2}user:\n[\s\S]*$/, ""), /no "user" mapping/],
  ])("rejects input that is %s with an error saying how to get the file again", (_what, input, reason) => {
    let caught: unknown;
    try {
      fromAdminConf(input, { cluster: "dev", server: SERVER });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KubeconfigError);
    expect((caught as KubeconfigError).code).toBe("invalid-admin-conf");
    expect((caught as Error).message).toMatch(reason);
    expect((caught as Error).message).toContain("kina retry kubeconfig dev");
  });

  test("refuses a server that is not an https URL", () => {
    expect(() => fromAdminConf(ADMIN_CONF, { cluster: "dev", server: "127.0.0.1:6443" })).toThrow(/not a URL|https/);
    expect(() => fromAdminConf(ADMIN_CONF, { cluster: "dev", server: "http://127.0.0.1:6443" })).toThrow(/https/);
  });
});

describe("withServer", () => {
  test("points the one cluster entry elsewhere and keeps names and credentials", () => {
    const kina = fromAdminConf(ADMIN_CONF, { cluster: "dev", server: SERVER });
    const internal = parseJson(withServer(kina, "https://192.168.64.9:6443"));
    const original = parseJson(kina);
    expect(internal.clusters?.[0]).toEqual({ ...original.clusters![0], cluster: { ...original.clusters![0]!.cluster, server: "https://192.168.64.9:6443" } });
    expect(internal.users).toEqual(original.users);
    expect(internal["current-context"]).toBe("kina-dev");
  });

  test("refuses a non-https server and a file without exactly one cluster", () => {
    const kina = fromAdminConf(ADMIN_CONF, { cluster: "dev", server: SERVER });
    expect(() => withServer(kina, "http://192.168.64.9:6443")).toThrow(/https/);
    expect(() => withServer("apiVersion: v1\nclusters: []\n", "https://192.168.64.9:6443")).toThrow(KubeconfigError);
  });
});
