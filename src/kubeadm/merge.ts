import { deepClone, isJsonObject, jsonEqual, type JsonObject, type JsonValue } from "./documents.js";

/** How kubeadm spells component flags in the target document's API version. */
export type ExtraArgsShape = "map" | "list";

const EXTRA_ARGS_KEYS = new Set(["extraArgs", "kubeletExtraArgs"]);

/**
 * RFC 7386 JSON merge patch, with kind's kubeadm-aware exceptions (pkg/internal/patch/
 * kubeadm_merge.go) so users' existing patches keep working across kubeadm API versions:
 * - `extraArgs` / `kubeletExtraArgs` are merged flag by flag. On v1beta4 targets they are
 *   `[{name, value}]` lists and a patch written in the old map form is converted; kina also
 *   converts list-form patches for v1beta3 targets. A null value removes the flag.
 * - `certSANs` is a union: a patch adds names and never drops the ones kina needs.
 * When `extraArgsShape` is undefined (non-kubeadm documents) plain RFC 7386 applies.
 */
export function mergeKubeadmPatch(
  target: JsonValue | undefined,
  patch: JsonValue,
  extraArgsShape: ExtraArgsShape | undefined,
): JsonValue {
  if (!isJsonObject(patch)) return deepClone(patch);
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (extraArgsShape && EXTRA_ARGS_KEYS.has(key) && value !== null) {
      result[key] = mergeExtraArgs(result[key], value, extraArgsShape);
    } else if (extraArgsShape && key === "certSANs") {
      result[key] = unionList(result[key], value);
    } else if (value === null) {
      delete result[key];
    } else {
      result[key] = mergeKubeadmPatch(result[key], value, extraArgsShape);
    }
  }
  return result;
}

interface Flag {
  name: string;
  value: JsonValue;
}

/** Flags as an ordered list, whichever shape they were written in; null values mean "remove". */
function toFlags(v: JsonValue | undefined): Flag[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) =>
      isJsonObject(item) && typeof item.name === "string"
        ? [{ name: item.name, value: item.value ?? null }]
        : [],
    );
  }
  if (isJsonObject(v)) return Object.entries(v).map(([name, value]) => ({ name, value }));
  return [];
}

/** kubeadm flag values are strings; YAML turns `true` or `6` into other types. */
function flagValue(v: JsonValue): string {
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

function mergeExtraArgs(target: JsonValue | undefined, patch: JsonValue, shape: ExtraArgsShape): JsonValue {
  const flags = toFlags(target).map((f) => ({ name: f.name, value: flagValue(f.value ?? "") }));
  for (const p of toFlags(patch)) {
    const i = flags.findIndex((f) => f.name === p.name);
    if (p.value === null) {
      if (i >= 0) flags.splice(i, 1);
    } else if (i >= 0) {
      flags[i] = { name: p.name, value: flagValue(p.value) };
    } else {
      flags.push({ name: p.name, value: flagValue(p.value) });
    }
  }
  if (shape === "list") return flags.map((f) => ({ name: f.name, value: f.value }));
  return Object.fromEntries(flags.map((f) => [f.name, f.value]));
}

function unionList(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  const out: JsonValue[] = Array.isArray(target) ? [...target] : [];
  if (!Array.isArray(patch)) return out;
  for (const item of patch) {
    if (!out.some((existing) => jsonEqual(existing, item))) out.push(item);
  }
  return out;
}
