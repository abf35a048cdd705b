import { describe, expect, test } from "vitest";
import { fromAdminConf, KubeconfigError, mergeInto, removeFrom } from "../../../src/kube/kubeconfig/index.js";
import { ADMIN_CONF, SERVER, entriesExcept, namesIn, parseJson } from "./fixtures.js";

const KINA = fromAdminConf(ADMIN_CONF, { cluster: "dev", server: SERVER });
const OURS = "kina-dev";

/** A kubeconfig a user might have: comments, extensions, preferences, odd scalars. */
const USER_CONFIG = `# managed by hand, do not lose this comment
apiVersion: v1
clusters:
# production, careful
- cluster:
    certificate-authority-data: UFJPRA==
    server: https://prod.example.com:443 # via VPN
    extensions:
    - extension:
        last-update: "2024-01-01"
        provider: minikube.sigs.k8s.io
      name: cluster_info
  name: prod
- cluster:
    server: https://0x1F.example
    insecure-skip-tls-verify: yes
  name: "017"
contexts:
- context:
    cluster: prod
    user: admin
    namespace: default
  name: prod
current-context: prod
kind: Config
preferences:
  colors: true
users:
- name: admin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: gke-gcloud-auth-plugin
      provideClusterInfo: true
`;

describe("mergeInto", () => {
  test("adds kina's entries after the user's and keeps every foreign entry, comment and setting", () => {
    const merged = mergeInto(USER_CONFIG, KINA, { switchContext: false });
    const before = parseJson(USER_CONFIG);
    const after = parseJson(merged);
    for (const section of ["clusters", "contexts", "users"] as const) {
      expect(entriesExcept(after, section, OURS)).toEqual(before[section]);
      expect(namesIn(after, section).at(-1)).toBe(OURS);
    }
    expect(after.preferences).toEqual({ colors: true });
    expect(merged).toContain("# managed by hand, do not lose this comment");
    expect(merged).toContain("# production, careful");
    expect(merged).toContain("# via VPN");
  });

  test("keeps scalars spelled as the user wrote them, so kubectl reads them the same", () => {
    const merged = mergeInto(USER_CONFIG, KINA, { switchContext: false });
    expect(merged).toContain("server: https://0x1F.example");
    expect(merged).toContain("insecure-skip-tls-verify: yes");
    expect(merged).toContain('name: "017"');
    expect(merged).toContain('last-update: "2024-01-01"');
  });

  test("without switchContext keeps the user's current context", () => {
    expect(parseJson(mergeInto(USER_CONFIG, KINA, { switchContext: false }))["current-context"]).toBe("prod");
  });

  test("with switchContext makes kina's context current", () => {
    expect(parseJson(mergeInto(USER_CONFIG, KINA, { switchContext: true }))["current-context"]).toBe(OURS);
  });

  test.each([
    ["has no current-context", USER_CONFIG.replace("current-context: prod\n", "")],
    ["has an empty current-context", USER_CONFIG.replace("current-context: prod\n", 'current-context: ""\n')],
    ["has a null current-context", USER_CONFIG.replace("current-context: prod\n", "current-context:\n")],
  ])("sets kina's context when the file %s, even without switchContext", (_what, input) => {
    expect(parseJson(mergeInto(input, KINA, { switchContext: false }))["current-context"]).toBe(OURS);
  });

  test("replaces kina's older entries in place instead of adding duplicates", () => {
    const old = fromAdminConf(ADMIN_CONF, { cluster: "dev", server: "https://127.0.0.1:1111" });
    const first = mergeInto(USER_CONFIG, old, { switchContext: false });
    // The user added an entry after ours meanwhile; ours must stay where it was.
    const edited = first.replace("contexts:\n", "contexts:\n- context: {cluster: later, user: later}\n  name: later\n");
    const again = parseJson(mergeInto(edited, KINA, { switchContext: false }));
    expect(namesIn(again, "clusters")).toEqual(["prod", "017", OURS]);
    expect(namesIn(again, "contexts")).toEqual(["later", "prod", OURS]);
    expect(again.clusters?.[2]).toMatchObject({ cluster: { server: SERVER } });
  });

  test("is idempotent", () => {
    const once = mergeInto(USER_CONFIG, KINA, { switchContext: true });
    expect(mergeInto(once, KINA, { switchContext: true })).toBe(once);
  });

  test("drops duplicate kina entries of the same name but keeps others' entries with similar names", () => {
    const input = `clusters:
- {name: kina-dev, cluster: {server: https://a}}
- {name: kina-dev2, cluster: {server: https://b}}
- {name: kina-dev, cluster: {server: https://c}}
`;
    const merged = parseJson(mergeInto(input, KINA, { switchContext: false }));
    expect(namesIn(merged, "clusters")).toEqual([OURS, "kina-dev2"]);
    expect(merged.clusters?.[0]).toMatchObject({ cluster: { server: SERVER } });
  });

  test("a new file (undefined) gets no current-context without switchContext, kina's with it", () => {
    expect(parseJson(mergeInto(undefined, KINA, { switchContext: false }))["current-context"] ?? "").toBe("");
    expect(parseJson(mergeInto(undefined, KINA, { switchContext: true }))["current-context"]).toBe(OURS);
  });

  test.each([
    ["an empty file", ""],
    ["a blank file", "\n\n"],
    ["a comment-only file", "# nothing here yet\n"],
    ["a bare document start", "---\n"],
    ["an empty mapping", "{}\n"],
    ["null sections", "apiVersion: v1\nclusters: null\ncontexts: ~\nusers:\ncurrent-context: \"\"\nkind: Config\n"],
    ["empty flow lists", "apiVersion: v1\nclusters: []\ncontexts: []\nusers: []\nkind: Config\n"],
    ["a JSON kubeconfig", '{"apiVersion": "v1", "kind": "Config", "clusters": null}\n'],
  ])("works on %s", (_what, input) => {
    const merged = parseJson(mergeInto(input, KINA, { switchContext: false }));
    expect(merged).toMatchObject({ apiVersion: "v1", kind: "Config", "current-context": OURS });
    for (const section of ["clusters", "contexts", "users"] as const) expect(namesIn(merged, section)).toEqual([OURS]);
  });

  test("keeps a comment left on a null section", () => {
    const merged = mergeInto("clusters: null # none yet\n", KINA, { switchContext: false });
    expect(merged).toContain("# none yet");
  });

  test("adds apiVersion and kind when the file lacks them (the JavaScript client needs them)", () => {
    const merged = parseJson(mergeInto("preferences: {}\n", KINA, { switchContext: false }));
    expect(merged).toMatchObject({ apiVersion: "v1", kind: "Config", preferences: {} });
  });

  test("follows the file's list indentation", () => {
    const indented = "clusters:\n  - name: a\n    cluster: {server: https://a}\n";
    expect(mergeInto(indented, KINA, { switchContext: false })).toMatch(/^ {2}- cluster:\n/m);
    const flush = "clusters:\n- name: a\n  cluster: {server: https://a}\n";
    expect(mergeInto(flush, KINA, { switchContext: false })).toMatch(/^- cluster:\n/m);
  });

  test.each([
    ["not YAML", "clusters: [\n", "not-yaml", /not valid YAML/],
    ["two documents", "a: 1\n---\nb: 2\n", "not-yaml", /not valid YAML/],
    ["a list", "- 1\n", "not-kubeconfig", /top level/],
    ["a manifest", "apiVersion: v1\nkind: Pod\n", "not-kubeconfig", /kind "Pod"/],
    ["clusters not a list", "clusters: {a: 1}\n", "not-kubeconfig", /"clusters" field is not a list/],
    ["a scalar entry", "users:\n- just-a-name\n", "not-kubeconfig", /users\[0\] is not a mapping/],
  ])("refuses a file that is %s", (_what, input, code, message) => {
    let caught: unknown;
    try {
      mergeInto(input, KINA, { switchContext: false, source: "kubeconfig file /x/config" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KubeconfigError);
    expect((caught as KubeconfigError).code).toBe(code);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain("/x/config");
  });
});

describe("removeFrom", () => {
  test("removes kina's three entries and nothing else", () => {
    const merged = mergeInto(USER_CONFIG, KINA, { switchContext: false });
    const { text, changed } = removeFrom(merged, "dev");
    expect(changed).toBe(true);
    expect(parseJson(text)).toEqual(parseJson(USER_CONFIG));
    expect(text).toBe(USER_CONFIG);
  });

  test("clears current-context when it was kina's", () => {
    const merged = mergeInto(USER_CONFIG, KINA, { switchContext: true });
    const config = parseJson(removeFrom(merged, "dev").text);
    expect(config["current-context"]).toBe("");
    expect(namesIn(config, "contexts")).toEqual(["prod"]);
  });

  test("leaves other kina clusters alone", () => {
    const other = fromAdminConf(ADMIN_CONF, { cluster: "dev2", server: SERVER });
    const both = mergeInto(mergeInto(undefined, KINA, { switchContext: true }), other, { switchContext: false });
    const config = parseJson(removeFrom(both, "dev").text);
    for (const section of ["clusters", "contexts", "users"] as const) expect(namesIn(config, section)).toEqual(["kina-dev2"]);
  });

  test("returns the text untouched when there is nothing of kina's", () => {
    const odd = "# spacing   kept\nclusters:   []\n";
    expect(removeFrom(odd, "dev")).toEqual({ text: odd, changed: false });
    expect(removeFrom("", "dev")).toEqual({ text: "", changed: false });
    expect(removeFrom(USER_CONFIG, "dev")).toEqual({ text: USER_CONFIG, changed: false });
  });

  test("keeps comments the user wrote next to kina's entries", () => {
    const merged = mergeInto(USER_CONFIG, KINA, { switchContext: false });
    const annotated = merged.replace("- cluster:\n    certificate-authority-data: Q0EtREFU", "# kina cluster below\n- cluster:\n    certificate-authority-data: Q0EtREFU");
    expect(annotated).not.toBe(merged);
    const removed = removeFrom(annotated, "dev").text;
    expect(removed).toContain("# kina cluster below");
    expect(parseJson(removed)).toEqual(parseJson(USER_CONFIG));
  });

  test("refuses to work on a file that is not YAML", () => {
    expect(() => removeFrom("users: [\n", "dev")).toThrow(KubeconfigError);
  });
});

describe("mergeInto with YAML features users rely on", () => {
  test("keeps anchors and aliases in foreign entries working", () => {
    const input = "users:\n- name: a\n  user: &shared {token: x}\n- name: b\n  user: *shared\n";
    const merged = mergeInto(input, KINA, { switchContext: false });
    expect(parseJson(merged).users?.slice(0, 2)).toEqual([
      { name: "a", user: { token: "x" } },
      { name: "b", user: { token: "x" } },
    ]);
    expect(parseJson(removeFrom(merged, "dev").text).users).toEqual(parseJson(input).users);
  });

  test("reads Windows line endings", () => {
    const merged = parseJson(mergeInto(USER_CONFIG.replaceAll("\n", "\r\n"), KINA, { switchContext: false }));
    expect(namesIn(merged, "clusters")).toEqual(["prod", "017", OURS]);
  });

  test("refuses a file with a repeated key instead of guessing which one counts", () => {
    expect(() => mergeInto("clusters: []\nclusters: []\n", KINA, { switchContext: false })).toThrow(/not valid YAML/);
  });
});
