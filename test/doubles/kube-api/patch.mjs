// Patch formats the apiserver accepts: JSON merge patch (RFC 7386), a strategic-merge subset, JSON patch (RFC 6902).

export class PatchError extends Error {}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function mergePatch(target, patch) {
  if (!isObject(patch)) return structuredClone(patch);
  const out = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

// Lists Kubernetes declares with patchStrategy "merge", by field name → merge key. Every other list is replaced whole
// (node spec.taints, tolerations, args… are atomic in the real API as well).
const MERGE_KEYS = {
  containers: "name", initContainers: "name", ephemeralContainers: "name", volumes: "name", env: "name",
  volumeMounts: "mountPath", volumeDevices: "devicePath", imagePullSecrets: "name", conditions: "type",
  ownerReferences: "uid", hostAliases: "ip", topologySpreadConstraints: "topologyKey",
};

function strategicList(field, current, patch) {
  const mergeKey = MERGE_KEYS[field];
  if (!mergeKey || !Array.isArray(current) || !patch.every(isObject)) {
    return patch.filter((item) => !(isObject(item) && item.$patch === "delete")).map((item) => strategic(undefined, item));
  }
  if (patch.some((item) => item.$patch === "replace")) {
    return patch.filter((item) => item.$patch !== "replace").map((item) => strategic(undefined, item));
  }
  const out = current.map((item) => structuredClone(item));
  for (const item of patch) {
    const index = out.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (item.$patch === "delete") {
      if (index !== -1) out.splice(index, 1);
    } else if (index === -1) out.push(strategic(undefined, item));
    else out[index] = strategic(out[index], item);
  }
  return out;
}

function strategic(target, patch) {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch, ...rest } = patch;
    return strategic(undefined, rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out = isObject(target) ? structuredClone(target) : {};
  const retain = patch.$retainKeys;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$setElementOrder/") || key === "$retainKeys" || key === "$patch") continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[field])) out[field] = out[field].filter((v) => !value.includes(v));
      continue;
    }
    if (value === null) delete out[key];
    else if (Array.isArray(value)) out[key] = strategicList(key, out[key], value);
    else {
      const merged = strategic(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    }
  }
  if (Array.isArray(retain)) for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  return out;
}

export function strategicMergePatch(target, patch) {
  if (!isObject(patch)) throw new PatchError("strategic merge patch must be a JSON object");
  return strategic(target, patch);
}

function pointer(path) {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc, tokens, path) {
  let node = doc;
  for (const token of tokens.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    if (node === undefined) throw new PatchError(`path ${path} does not exist`);
  }
  return node;
}

function getAt(doc, path) {
  let node = doc;
  for (const token of pointer(path)) {
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node) && Object.hasOwn(node, token)) node = node[token];
    else node = undefined;
    if (node === undefined) throw new PatchError(`path ${path} does not exist`);
  }
  return node;
}

function removeAt(doc, path) {
  const tokens = pointer(path);
  const parent = parentOf(doc, tokens, path);
  const last = tokens.at(-1);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw new PatchError(`path ${path} does not exist`);
    return parent.splice(index, 1)[0];
  }
  if (!isObject(parent) || !Object.hasOwn(parent, last)) throw new PatchError(`path ${path} does not exist`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function addAt(doc, path, value, replace) {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path);
  const last = tokens.at(-1);
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`index out of range in ${path}`);
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
  } else if (isObject(parent)) {
    parent[last] = value;
  } else throw new PatchError(`path ${path} does not exist`);
  return doc;
}

export function jsonPatch(target, operations) {
  if (!Array.isArray(operations)) throw new PatchError("JSON patch must be an array of operations");
  let doc = structuredClone(target);
  for (const op of operations) {
    switch (op.op) {
      case "add": doc = addAt(doc, op.path, structuredClone(op.value), false); break;
      case "remove": removeAt(doc, op.path); break;
      case "replace": getAt(doc, op.path); doc = addAt(doc, op.path, structuredClone(op.value), true); break;
      case "move": { const v = removeAt(doc, op.from); doc = addAt(doc, op.path, v, false); break; }
      case "copy": doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from)), false); break;
      case "test":
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchError(`test failed at ${op.path}`);
        break;
      default: throw new PatchError(`unknown JSON patch operation ${JSON.stringify(op.op)}`);
    }
  }
  return doc;
}
