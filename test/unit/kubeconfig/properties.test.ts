import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Document, isMap, isScalar, parseDocument, visit } from "yaml";
import { fromAdminConf, mergeInto, removeFrom, removeKubeconfigEntries } from "../../../src/kube/kubeconfig/index.js";
import { ADMIN_CONF, SERVER, parseJson, withTempDir, type KubeconfigJson } from "./fixtures.js";

const CLUSTER = "dev";
const OURS = "kina-dev";
const KINA = fromAdminConf(ADMIN_CONF, { cluster: CLUSTER, server: SERVER });
const SECTIONS = ["clusters", "contexts", "users"] as const;
// Fields whose handling kina owns; every other top-level field must come through unchanged.
const MANAGED = new Set<string>([...SECTIONS, "current-context", "apiVersion", "kind"]);

// --- generators of foreign kubeconfigs ------------------------------------------------------

const word = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
// Names users really have, plus ones a careless YAML writer would mangle, plus near misses of ours.
const entryName = fc
  .oneof(
    fc.stringMatching(/^[a-z0-9][a-z0-9._@:-]{0,20}$/),
    fc.constantFrom("yes", "no", "on", "017", "1e3", "0x1F", "null", "~", "true", "a: b", "#x", " spaced ", ""),
    fc.constantFrom("kina-dev2", "kina-", "kina-dev-x", "KINA-DEV", "kina-other", "kind-dev"),
  )
  .filter((name) => name !== OURS);
const scalar = fc.oneof(
  fc.stringMatching(/^[a-z0-9 ._:/-]{0,16}$/),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom("yes", "017", "1e3", "0o17", "2024-01-01", "~"),
);
const smallObject = fc.dictionary(word, fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(word, scalar, { maxKeys: 2 })), {
  maxKeys: 3,
});
const extensions = fc.array(fc.record({ name: word, extension: smallObject }), { maxLength: 2 });
const withOptional = <T extends object>(base: fc.Arbitrary<T>, extra: Record<string, fc.Arbitrary<unknown>>) =>
  fc.tuple(base, fc.record(extra, { requiredKeys: [] })).map(([a, b]) => ({ ...a, ...b }));

const clusterEntry = fc.record({
  cluster: withOptional(fc.record({ server: word.map((host) => `https://${host}.example:6443`) }), {
    "certificate-authority-data": fc.base64String({ maxLength: 40 }),
    "insecure-skip-tls-verify": fc.boolean(),
    extensions,
  }),
  name: entryName,
});
const contextEntry = fc.record({
  context: withOptional(fc.record({ cluster: entryName, user: entryName }), { namespace: word, extensions }),
  name: entryName,
});
const userEntry = fc.record({
  name: entryName,
  user: withOptional(fc.record({}), {
    token: fc.stringMatching(/^[A-Za-z0-9]{1,20}$/),
    exec: fc.record({ apiVersion: fc.constant("client.authentication.k8s.io/v1"), command: word, args: fc.array(word, { maxLength: 2 }) }),
    extensions,
  }),
});
// A section can be missing, null, empty or hold entries.
const section = <T>(entry: fc.Arbitrary<T>) =>
  fc.oneof(fc.constant(undefined), fc.constant(null), fc.constant([]), fc.array(entry, { minLength: 1, maxLength: 4 }));

const foreignConfig = fc.record(
  {
    apiVersion: fc.constant("v1"),
    clusters: section(clusterEntry),
    contexts: section(contextEntry),
    "current-context": fc.oneof(entryName, fc.constant("")),
    kind: fc.constant("Config"),
    preferences: smallObject,
    users: section(userEntry),
    extensions,
  },
  { requiredKeys: [] },
);

interface CommentPlan {
  at: number;
  inline: boolean;
}

/** Renders a config as a user's file, with comment lines and inline comments at planned places. */
function render(config: Record<string, unknown>, comments: CommentPlan[], indentSeq: boolean, topComment: boolean): string {
  const doc = new Document(Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)));
  let place = 0;
  const plan = new Map(comments.map((c) => [c.at, c.inline]));
  const token = () => ` KC${place}KC user note`;
  const maybe = (apply: (inline: boolean) => void) => {
    place += 1;
    const inline = plan.get(place);
    if (inline !== undefined) apply(inline);
  };
  visit(doc, {
    Pair(_, pair) {
      maybe((inline) => {
        if (inline && isScalar(pair.value)) pair.value.comment = token();
        else if (isScalar(pair.key)) pair.key.commentBefore = token();
      });
    },
    Seq(_, seq) {
      for (const item of seq.items) if (isMap(item)) maybe(() => (item.commentBefore = token()));
    },
  });
  if (topComment) doc.commentBefore = " KC0KC top of file";
  return doc.toString({ indentSeq, lineWidth: 0, flowCollectionPadding: false });
}

/**
 * The same file as a YAML writer lays it out after reading it (e.g. `- # note\n  name: a` becomes
 * `# note\n- name: a`): kina cannot keep such layout choices byte for byte, only their content.
 */
function canonical(text: string, indentSeq: boolean): string {
  return parseDocument(text, { schema: "failsafe" }).toString({ indentSeq, lineWidth: 0, flowCollectionPadding: false });
}

// Every field kina manages present and set, so nothing needs adding and removal can restore all.
const completeConfig = fc.record(
  {
    apiVersion: fc.constant("v1"),
    clusters: fc.array(clusterEntry, { minLength: 1, maxLength: 4 }),
    contexts: fc.array(contextEntry, { minLength: 1, maxLength: 4 }),
    "current-context": entryName.filter((name) => name !== ""),
    kind: fc.constant("Config"),
    preferences: smallObject,
    users: fc.array(userEntry, { minLength: 1, maxLength: 4 }),
    extensions,
  },
  { requiredKeys: ["apiVersion", "clusters", "contexts", "current-context", "kind", "users"] },
);

const fileOf = (config: fc.Arbitrary<Record<string, unknown>>, layout: "as written" | "canonical" = "as written") =>
  fc
    .record({
      config,
    comments: fc.array(fc.record({ at: fc.nat({ max: 60 }), inline: fc.boolean() }), { maxLength: 12 }),
    indentSeq: fc.boolean(),
    topComment: fc.boolean(),
  })
    .map(({ config, comments, indentSeq, topComment }) => {
      const text = render(config, comments, indentSeq, topComment);
      return layout === "canonical" ? canonical(text, indentSeq) : text;
    });

const userFile = fileOf(foreignConfig);
const completeUserFile = fileOf(completeConfig, "canonical");

// --- what must hold ---------------------------------------------------------------------

const commentTokens = (text: string) => text.match(/KC\d+KC/g) ?? [];

function foreignEntries(config: KubeconfigJson, name = OURS) {
  return Object.fromEntries(SECTIONS.map((s) => [s, (config[s] ?? []).filter((entry) => entry.name !== name)]));
}

function unmanagedFields(config: KubeconfigJson) {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !MANAGED.has(key)));
}

function kinaEntries(config: KubeconfigJson) {
  return Object.fromEntries(SECTIONS.map((s) => [s, (config[s] ?? []).filter((entry) => entry.name === OURS)]));
}

const RUNS = { numRuns: 300 };

describe("kubeconfig merge and removal, for any foreign kubeconfig", () => {
  test("merge keeps foreign entries, other fields and comments, and adds exactly kina's entries", () => {
    const expectedOurs = kinaEntries(parseJson(KINA));
    fc.assert(
      fc.property(userFile, fc.boolean(), (original, switchContext) => {
        const before = parseJson(original);
        const merged = mergeInto(original, KINA, { switchContext });
        const after = parseJson(merged);
        expect(foreignEntries(after)).toEqual(foreignEntries(before));
        expect(kinaEntries(after)).toEqual(expectedOurs);
        expect(unmanagedFields(after)).toEqual(unmanagedFields(before));
        const hadCurrent = typeof before["current-context"] === "string" && before["current-context"] !== "";
        expect(after["current-context"]).toBe(switchContext || !hadCurrent ? OURS : before["current-context"]);
        expect(commentTokens(merged)).toEqual(commentTokens(original));
      }),
      RUNS,
    );
  });

  test("merge is idempotent", () => {
    fc.assert(
      fc.property(userFile, fc.boolean(), (original, switchContext) => {
        const once = mergeInto(original, KINA, { switchContext });
        expect(mergeInto(once, KINA, { switchContext })).toBe(once);
      }),
      RUNS,
    );
  });

  test("merge then remove gives back the foreign entries, fields and comments, in order", () => {
    fc.assert(
      fc.property(userFile, fc.boolean(), (original, switchContext) => {
        const before = parseJson(original);
        const { text, changed } = removeFrom(mergeInto(original, KINA, { switchContext }), CLUSTER);
        expect(changed).toBe(true);
        const after = parseJson(text);
        expect(foreignEntries(after)).toEqual(foreignEntries(before));
        expect(kinaEntries(after)).toEqual({ clusters: [], contexts: [], users: [] });
        expect(unmanagedFields(after)).toEqual(unmanagedFields(before));
        const hadCurrent = typeof before["current-context"] === "string" && before["current-context"] !== "";
        expect(after["current-context"]).toBe(switchContext || !hadCurrent ? "" : before["current-context"]);
        expect(commentTokens(text)).toEqual(commentTokens(original));
      }),
      RUNS,
    );
  });

  test("merge then remove restores a complete, conventionally laid out kubeconfig byte for byte", () => {
    fc.assert(
      fc.property(completeUserFile, (original) => {
        expect(removeFrom(mergeInto(original, KINA, { switchContext: false }), CLUSTER).text).toBe(original);
      }),
      { numRuns: 100 },
    );
  });

  test("removal over several $KUBECONFIG files removes only kina's entries for that cluster", async () => {
    const other = fromAdminConf(ADMIN_CONF, { cluster: "other", server: SERVER });
    const file = fc.record({ text: userFile, withOurs: fc.boolean(), withOther: fc.boolean(), switchContext: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 3 }), async (files) => {
        await withTempDir(async (dir) => {
          const paths = files.map((_, index) => join(dir, `config-${index}`));
          const written = files.map(({ text, withOurs, withOther, switchContext }) => {
            let content = text;
            if (withOther) content = mergeInto(content, other, { switchContext });
            if (withOurs) content = mergeInto(content, KINA, { switchContext });
            return content;
          });
          await Promise.all(paths.map((path, index) => writeFile(path, written[index] ?? "")));

          const { changedPaths } = await removeKubeconfigEntries({ paths, cluster: CLUSTER });

          expect(changedPaths).toEqual(paths.filter((_, index) => files[index]?.withOurs));
          for (const [index, path] of paths.entries()) {
            const before = written[index] ?? "";
            const now = await readFile(path, "utf8");
            if (!files[index]?.withOurs) {
              expect(now).toBe(before);
              continue;
            }
            const [was, is] = [parseJson(before), parseJson(now)];
            expect(foreignEntries(is)).toEqual(foreignEntries(was));
            expect(kinaEntries(is)).toEqual({ clusters: [], contexts: [], users: [] });
            expect(unmanagedFields(is)).toEqual(unmanagedFields(was));
            expect(commentTokens(now)).toEqual(commentTokens(before));
          }
        });
      }),
      { numRuns: 40 },
    );
  });
});
