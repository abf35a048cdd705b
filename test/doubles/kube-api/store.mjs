// The object store: every object keyed by resource id, namespace and name, one global resourceVersion,
// persisted atomically to a JSON file, with a bounded event history so watches can resume from a version.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

const HISTORY_LIMIT = 2000;

function keyOf(resourceId, namespace, name) {
  return `${resourceId}|${namespace ?? ""}|${name}`;
}

export class ObjectStore {
  constructor(file) {
    this.file = file;
    this.objects = new Map();
    this.resourceVersion = 0;
    this.history = [];
    this.listeners = new Set();
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, "utf8"));
      this.resourceVersion = saved.resourceVersion;
      for (const { resource, object } of saved.objects) {
        this.objects.set(keyOf(resource, object.metadata.namespace, object.metadata.name), { resource, object });
      }
    }
    // Watches from before this process started cannot be resumed; they get 410 Gone like after an etcd compaction.
    this.oldestResumable = this.resourceVersion;
  }

  get(resourceId, namespace, name) {
    return this.objects.get(keyOf(resourceId, namespace, name))?.object;
  }

  list(resourceId, namespace) {
    const out = [];
    for (const entry of this.objects.values()) {
      if (entry.resource !== resourceId) continue;
      if (namespace && entry.object.metadata.namespace !== namespace) continue;
      out.push(entry.object);
    }
    return out.sort((a, b) =>
      (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Stores `object` (ADDED or MODIFIED), stamping a fresh resourceVersion; returns the stored object. */
  save(resourceId, object) {
    const key = keyOf(resourceId, object.metadata.namespace, object.metadata.name);
    const type = this.objects.has(key) ? "MODIFIED" : "ADDED";
    object.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.set(key, { resource: resourceId, object });
    this.#record(type, resourceId, object);
    return object;
  }

  remove(resourceId, namespace, name) {
    const key = keyOf(resourceId, namespace, name);
    const entry = this.objects.get(key);
    if (!entry) return undefined;
    this.objects.delete(key);
    const object = structuredClone(entry.object);
    object.metadata.resourceVersion = String(++this.resourceVersion);
    this.#record("DELETED", resourceId, object);
    return object;
  }

  #record(type, resource, object) {
    this.#persist();
    const event = { type, resource, object, rv: this.resourceVersion };
    this.history.push(event);
    if (this.history.length > HISTORY_LIMIT) {
      const dropped = this.history.shift();
      this.oldestResumable = dropped.rv;
    }
    for (const listener of this.listeners) listener(event);
  }

  /** Events after `rv`, or null when that version is older than the history kept. */
  eventsSince(rv) {
    if (rv < this.oldestResumable) return null;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  #persist() {
    const objects = [...this.objects.values()];
    const data = JSON.stringify({ resourceVersion: this.resourceVersion, objects });
    const tmp = join(dirname(this.file), `.objects.json.tmp-${process.pid}`);
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}
