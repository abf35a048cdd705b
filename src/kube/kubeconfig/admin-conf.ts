import { Document, Pair, YAMLMap, YAMLSeq, isMap, isSeq, type Node } from "yaml";
import { KubeconfigError } from "./errors.js";
import { SECTIONS, SECTION_PAYLOAD, parseKubeconfig, renderKubeconfig, setTopLevel, stringNode, type Section } from "./document.js";
import { kinaEntryName } from "./names.js";

export interface FromAdminConfOptions {
  /** kina cluster name; entries are named `kina-<cluster>`. */
  cluster: string;
  /** API endpoint as seen from the host, e.g. `https://127.0.0.1:54321`. */
  server: string;
}

/**
 * Turns kubeadm's `/etc/kubernetes/admin.conf` into the kubeconfig kina hands to the user: one
 * cluster, user and context, all named `kina-<cluster>`, current-context set, server pointed at
 * the host endpoint, every credential field kept as it was.
 */
export function fromAdminConf(adminConfYaml: string, options: FromAdminConfOptions): string {
  const what = "the control plane's admin.conf";
  const name = kinaEntryName(options.cluster);
  if (options.cluster.length === 0) throw new TypeError("fromAdminConf: cluster name is empty");
  checkServer(options.server);

  let source: Document;
  try {
    source = parseKubeconfig(adminConfYaml, what);
  } catch (error) {
    throw invalid(options.cluster, error instanceof Error ? error.message : String(error), error);
  }
  const root = source.contents;
  if (!isMap(root)) throw invalid(options.cluster, `${what} is empty`);

  const payloads = {} as Record<Section, YAMLMap>;
  for (const section of SECTIONS) {
    const seq = root.get(section, true);
    const count = isSeq(seq) ? seq.items.length : 0;
    if (!isSeq(seq) || count !== 1) {
      throw invalid(options.cluster, `${what} must hold exactly one entry in "${section}", it has ${count}`);
    }
    const entry = seq.items[0] as YAMLMap;
    const payload = entry.get(SECTION_PAYLOAD[section], true);
    if (!isMap(payload)) {
      throw invalid(options.cluster, `${what} has no "${SECTION_PAYLOAD[section]}" mapping in its "${section}" entry`);
    }
    payloads[section] = payload.clone() as YAMLMap;
  }
  if (!payloads.clusters.has("server")) throw invalid(options.cluster, `${what} has no server in its cluster entry`);

  payloads.clusters.set("server", stringNode(options.server));
  payloads.contexts.set("cluster", stringNode(name));
  payloads.contexts.set("user", stringNode(name));

  const doc = new Document(new YAMLMap(), { schema: "failsafe" });
  const out = doc.contents as YAMLMap;
  setTopLevel(out, "apiVersion", stringNode("v1"));
  for (const section of SECTIONS) {
    setTopLevel(out, section, singleEntry(name, SECTION_PAYLOAD[section], payloads[section]));
  }
  setTopLevel(out, "current-context", stringNode(name));
  setTopLevel(out, "kind", stringNode("Config"));
  setTopLevel(out, "preferences", Object.assign(new YAMLMap(), { flow: true }));
  return renderKubeconfig(doc, undefined);
}

// kubectl writes entry keys sorted (`- cluster: … name: …`, `- name: … user: …`); so does kina.
function singleEntry(name: string, payloadKey: string, payload: Node): YAMLSeq {
  const entry = new YAMLMap();
  const pairs = [new Pair(stringNode(payloadKey), payload), new Pair(stringNode("name"), stringNode(name))];
  entry.items.push(...(payloadKey < "name" ? pairs : pairs.reverse()));
  const seq = new YAMLSeq();
  seq.items.push(entry);
  return seq;
}

function checkServer(server: string): void {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new TypeError(`fromAdminConf: server "${server}" is not a URL`);
  }
  if (url.protocol !== "https:") throw new TypeError(`fromAdminConf: server "${server}" is not an https:// URL`);
}

function invalid(cluster: string, reason: string, cause?: unknown): KubeconfigError {
  return new KubeconfigError(
    "invalid-admin-conf",
    `cannot build the kubeconfig for cluster "${cluster}": ${reason}. kubeadm writes /etc/kubernetes/admin.conf ` +
      `on the first control plane: \`kina retry kubeconfig ${cluster}\` reads it again, and if kubeadm init did ` +
      `not finish, \`kina retry kubeadm ${cluster}\` runs it again`,
    { cause },
  );
}

/**
 * kina's kubeconfig for the cluster (as made by `fromAdminConf`) with its one cluster entry pointed
 * at `server` instead: `kina get kubeconfig --internal` hands out the VM-IP endpoint that other
 * VMs reach, everything else (names, credentials) as it was.
 */
export function withServer(kinaYaml: string, server: string): string {
  checkServer(server);
  const doc = parseKubeconfig(kinaYaml, "kina's kubeconfig for the cluster");
  const root = doc.contents;
  const clusters = isMap(root) ? root.get("clusters", true) : undefined;
  const entry = isSeq(clusters) && clusters.items.length === 1 ? clusters.items[0] : undefined;
  const payload = isMap(entry) ? entry.get("cluster", true) : undefined;
  if (!isMap(payload)) throw new KubeconfigError("not-kubeconfig", "kina's kubeconfig for the cluster must hold exactly one cluster entry");
  payload.set("server", stringNode(server));
  return renderKubeconfig(doc, kinaYaml);
}
