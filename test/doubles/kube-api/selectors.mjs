// labelSelector and fieldSelector query parameters, parsed into predicates over objects.

export class SelectorError extends Error {}

function splitTopLevel(text) {
  const parts = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

function labelRequirement(text) {
  let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (m) {
    const [, key, op, list] = m;
    const values = list.split(",").map((v) => v.trim()).filter(Boolean);
    return op === "in"
      ? (labels) => Object.hasOwn(labels, key) && values.includes(labels[key])
      : (labels) => !Object.hasOwn(labels, key) || !values.includes(labels[key]);
  }
  m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(text);
  if (m) {
    const [, key, op, value] = m;
    return op === "!=" ? (labels) => labels[key] !== value : (labels) => Object.hasOwn(labels, key) && labels[key] === value;
  }
  m = /^!\s*([^\s!=]+)$/.exec(text);
  if (m) return (labels) => !Object.hasOwn(labels, m[1]);
  m = /^([^\s!=(),]+)$/.exec(text);
  if (m) return (labels) => Object.hasOwn(labels, m[1]);
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(text)}`);
}

export function labelSelector(text) {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map(labelRequirement);
  return (object) => requirements.every((r) => r(object.metadata?.labels ?? {}));
}

function fieldValue(object, path) {
  let node = object;
  for (const key of path.split(".")) node = node?.[key];
  if (node === undefined || node === null) return "";
  return String(node);
}

export function fieldSelector(text) {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map((part) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: ${JSON.stringify(text)}; can't understand ${JSON.stringify(part)}`);
    const [, path, op, value] = m;
    return op === "!=" ? (o) => fieldValue(o, path) !== value : (o) => fieldValue(o, path) === value;
  });
  return (object) => requirements.every((r) => r(object));
}
