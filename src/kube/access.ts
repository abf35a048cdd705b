// Kubernetes API access from the host through the kubeconfig kina exported: the same path the
// user's kubectl takes. This module imports @kubernetes/client-node; load it only with a dynamic
// import from a step that talks to the API.

import { request } from "node:https";
import * as k8s from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { sleep } from "../engine/wait.js";
import type { StepLog } from "../steps/step.js";

import type { KubeObject } from "./object.js";

export type { KubeObject };

export class KubeAccess {
  readonly kc: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly objects: k8s.KubernetesObjectApi;

  constructor(
    kc: k8s.KubeConfig,
    private readonly signal: AbortSignal,
    private readonly log: StepLog,
  ) {
    this.kc = kc;
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? "(no server)";
  }

  /** GET a raw API path (e.g. /readyz) with the kubeconfig's credentials. */
  async getRaw(path: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.server);
    const opts: import("node:https").RequestOptions = {
      method: "GET",
      hostname: url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      timeout: timeoutMs,
    };
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = request(opts, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("timeout", () => req.destroy(new Error(`no answer from ${url.origin} within ${timeoutMs}ms`)));
      req.on("error", reject);
      req.end();
    });
  }

  async readyz(): Promise<{ ok: boolean; detail: string }> {
    try {
      const r = await this.getRaw("/readyz");
      return { ok: r.status === 200, detail: `HTTP ${r.status} ${r.body.trim().slice(0, 200)}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }

  /** Server-side apply of every object in a YAML stream, field manager `kina`. */
  async apply(manifest: string, fieldManager = "kina"): Promise<KubeObject[]> {
    const objects: KubeObject[] = [];
    for (const doc of parseAllDocuments(manifest)) {
      if (doc.errors.length) throw new Error(`manifest is not valid YAML: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as KubeObject | null;
      if (!obj || typeof obj !== "object") continue;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
        throw new Error(`manifest object without apiVersion/kind/metadata.name: ${JSON.stringify(obj).slice(0, 120)}`);
      }
      objects.push(obj);
    }
    return this.applyObjects(objects, fieldManager);
  }

  /** Server-side apply of objects in the order given, field manager `kina`. */
  async applyObjects(objects: readonly KubeObject[], fieldManager = "kina"): Promise<KubeObject[]> {
    const applied: KubeObject[] = [];
    for (const obj of objects) {
      this.log.line(`apply ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`);
      const result = await this.objects.patch(obj, undefined, undefined, fieldManager, true, k8s.PatchStrategy.ServerSideApply);
      applied.push(result as KubeObject);
    }
    return applied;
  }

  /**
   * Deletes every object of a YAML stream, last first (namespaces go after what is in them); an
   * object already gone counts as deleted.
   */
  async deleteManifest(manifest: string): Promise<void> {
    const objects = parseAllDocuments(manifest)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => Boolean(o?.kind && o.metadata?.name));
    await this.deleteObjects(objects.reverse());
  }

  /** Deletes objects in the order given; one already gone (or whose kind is gone with its CRD) counts as deleted. */
  async deleteObjects(objects: readonly { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }[]): Promise<void> {
    for (const obj of objects) {
      this.log.line(`delete ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${obj.metadata.name}`);
      try {
        await this.objects.delete(obj);
      } catch (error) {
        if ((error as { code?: number }).code === 404) continue;
        // A custom resource whose CRD went first: its kind is no longer served, so it is gone too.
        if (/unrecognized|not found|no resource/i.test((error as Error).message ?? "") && !["v1", "apps/v1"].includes(obj.apiVersion)) continue;
        throw error;
      }
    }
  }

  /** JSON merge patch (RFC 7386) of one object; lists in the patch replace the stored ones. */
  async mergePatch(obj: KubeObject): Promise<KubeObject> {
    return (await this.objects.patch(obj, undefined, undefined, "kina", undefined, k8s.PatchStrategy.MergePatch)) as KubeObject;
  }

  async read<T = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await this.objects.read({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } })) as T;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  }

  async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string): Promise<{ items: T[]; resourceVersion: string }> {
    const list = await this.objects.list(apiVersion, kind, namespace);
    return { items: list.items as T[], resourceVersion: list.metadata?.resourceVersion ?? "" };
  }

  /**
   * Resolves when `check(items)` reports done for the collection at `path` (e.g.
   * /api/v1/nodes). Lists once, then follows a watch: each change re-checks; a closed watch is
   * re-opened from a fresh list. Rejects when the step's signal aborts (its timeout), with the
   * last reason `check` gave.
   */
  async waitUntil<T>(
    what: string,
    list: () => Promise<{ items: T[]; resourceVersion: string }>,
    watchPath: string,
    check: (items: T[]) => { done: boolean; reason: string },
  ): Promise<void> {
    let lastReason = "not checked yet";
    const watch = new k8s.Watch(this.kc);
    // A watch that ends with an error (API restarting, connection reset) is re-opened from a fresh
    // list after a pause that doubles up to 5 s, so a flapping API is not hammered.
    let backoffMs = 0;
    while (!this.signal.aborted) {
      if (backoffMs > 0) await sleep(backoffMs, this.signal);
      if (this.signal.aborted) break;
      const { items, resourceVersion } = await list();
      const byKey = new Map<string, T>();
      for (const item of items) byKey.set(keyOf(item), item);
      let verdict = check(items);
      lastReason = verdict.reason;
      if (verdict.done) return;
      await new Promise<void>((resolve, reject) => {
        let controller: AbortController | undefined;
        const stop = () => controller?.abort();
        const onAbort = () => {
          stop();
          resolve();
        };
        this.signal.addEventListener("abort", onAbort, { once: true });
        watch
          .watch(
            watchPath,
            { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 60 },
            (phase, obj: T) => {
              if (phase === "BOOKMARK") return;
              if (phase === "DELETED") byKey.delete(keyOf(obj));
              else byKey.set(keyOf(obj), obj);
              verdict = check([...byKey.values()]);
              lastReason = verdict.reason;
              if (verdict.done) {
                this.signal.removeEventListener("abort", onAbort);
                stop();
                resolve();
              }
            },
            (error: unknown) => {
              this.signal.removeEventListener("abort", onAbort);
              if (error && !this.signal.aborted && !verdict.done) {
                const message = (error as Error).message ?? String(error);
                this.log.line(`watch ${watchPath} ended: ${message}; listing again`);
                lastReason = `${verdict.reason} (watch ended: ${message})`;
                backoffMs = Math.min(5000, Math.max(250, backoffMs * 2));
              } else {
                backoffMs = 0;
              }
              resolve();
            },
          )
          .then(
            (c) => {
              controller = c;
              if (this.signal.aborted || verdict.done) c.abort();
            },
            (error: unknown) => {
              // Could not open the watch: say why in the log, wait, and list again.
              this.signal.removeEventListener("abort", onAbort);
              this.log.line(`watch ${watchPath} could not start: ${(error as Error).message ?? String(error)}`);
              backoffMs = Math.min(5000, Math.max(250, backoffMs * 2));
              resolve();
            },
          );
      });
      if (verdict.done) return;
    }
    throw new Error(`gave up waiting for ${what}: ${lastReason}`);
  }
}

function keyOf(obj: unknown): string {
  const m = (obj as { metadata?: { namespace?: string; name?: string } }).metadata ?? {};
  return `${m.namespace ?? ""}/${m.name ?? ""}`;
}

export async function openKubeAccess(kubeconfigPath: string, opts: { signal: AbortSignal; log: StepLog }): Promise<KubeAccess> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return new KubeAccess(kc, opts.signal, opts.log);
}
