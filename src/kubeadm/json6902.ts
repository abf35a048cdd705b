import { deepClone, isJsonObject, jsonEqual, type JsonValue } from "./documents.js";

/** One RFC 6902 operation as written in a patch. */
export interface Json6902Operation {
  op: string;
  path: string;
  value?: JsonValue;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new Error(`"${pointer}" is not a JSON pointer (must start with "/")`);
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number {
  if (allowEnd && token === "-") return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new Error(`"${token}" is not an array index`);
  const i = Number(token);
  if (i > length || (!allowEnd && i === length)) throw new Error(`array index ${i} is out of range`);
  return i;
}

function get(doc: JsonValue, tokens: string[]): JsonValue {
  let cur: JsonValue = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false)] as JsonValue;
    else if (isJsonObject(cur) && Object.hasOwn(cur, t)) cur = cur[t] as JsonValue;
    else throw new Error(`path /${tokens.join("/")} does not exist`);
  }
  return cur;
}

/** Returns the container of the last token and that token, after checking the container exists. */
function parentOf(doc: JsonValue, tokens: string[]): { parent: JsonValue; last: string } {
  if (tokens.length === 0) throw new Error("the document root cannot be the target of this operation");
  return { parent: get(doc, tokens.slice(0, -1)), last: tokens[tokens.length - 1] as string };
}

function add(doc: JsonValue, tokens: string[], value: JsonValue): JsonValue {
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isJsonObject(parent)) parent[last] = value;
  else throw new Error(`cannot add to /${tokens.join("/")}: parent is not an object or array`);
  return doc;
}

function remove(doc: JsonValue, tokens: string[]): JsonValue {
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isJsonObject(parent) && Object.hasOwn(parent, last)) delete parent[last];
  else throw new Error(`path /${tokens.join("/")} does not exist`);
  return doc;
}

function requireValue(op: Json6902Operation): JsonValue {
  if (!("value" in op) || op.value === undefined) throw new Error(`"${op.op}" needs a value`);
  return deepClone(op.value);
}

/** Applies RFC 6902 operations to a copy of `doc`; throws with the failing operation's index. */
export function applyJson6902(doc: JsonValue, ops: Json6902Operation[]): JsonValue {
  let out = deepClone(doc);
  ops.forEach((op, i) => {
    try {
      const path = parsePointer(op.path);
      switch (op.op) {
        case "add":
          out = add(out, path, requireValue(op));
          break;
        case "remove":
          out = remove(out, path);
          break;
        case "replace":
          get(out, path);
          out = path.length === 0 ? requireValue(op) : add(remove(out, path), path, requireValue(op));
          break;
        case "move": {
          const from = parsePointer(op.from ?? "");
          const moved = get(out, from);
          out = add(remove(out, from), path, moved);
          break;
        }
        case "copy":
          out = add(out, path, deepClone(get(out, parsePointer(op.from ?? ""))));
          break;
        case "test":
          if (!jsonEqual(get(out, path), requireValue(op))) {
            throw new Error(`test failed: ${op.path} is not ${JSON.stringify(op.value)}`);
          }
          break;
        default:
          throw new Error(`unknown op "${op.op}"`);
      }
    } catch (err) {
      throw new Error(`operation ${i} (${op.op} ${op.path}): ${(err as Error).message}`);
    }
  });
  return out;
}
