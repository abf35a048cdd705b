// JSON output as Foundation's JSONEncoder writes it with `.sortedKeys` (compact for lists,
// `.prettyPrinted` for inspect): keys sorted, `/` escaped as `\/` (before 1.4.1), pretty form
// `"key" : value`.

function compareKeys(a, b) {
  // Foundation sorts keys case-insensitively with a deterministic tiebreak.
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Foundation's encoder escaped `/` up to 1.3.x; 1.4.1 stopped (main.mjs sets this per release).
let escapeSlashes = true;

export function configureJson(options) {
  escapeSlashes = options.escapeSlashes;
}

function scalar(value) {
  // UInt64 values beyond 2^53 (e.g. RLIM_INFINITY) are kept as BigInt.
  if (typeof value === "bigint") return value.toString();
  if (value === 2 ** 64) return "18446744073709551615";
  const text = JSON.stringify(value);
  return escapeSlashes ? text.replaceAll("/", "\\/") : text;
}

function isPresent(value) {
  return value !== undefined && typeof value !== "function";
}

function compact(value) {
  if (Array.isArray(value)) return `[${value.map(compact).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => isPresent(value[k])).sort(compareKeys);
    return `{${keys.map((k) => `${scalar(k)}:${compact(value[k])}`).join(",")}}`;
  }
  return scalar(value);
}

function pretty(value, indent) {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => isPresent(value[k])).sort(compareKeys);
    if (keys.length === 0) return "{}";
    return `{\n${keys.map((k) => `${inner}${scalar(k)} : ${pretty(value[k], inner)}`).join(",\n")}\n${indent}}`;
  }
  return scalar(value);
}

/** Keys whose value is `undefined` are omitted, like Swift optionals encoded with encodeIfPresent. */
export function encodeCompact(value) {
  return compact(value);
}

export function encodePretty(value) {
  return pretty(value, "");
}

/** ISO-8601 without fractional seconds, as JSONEncoder's `.iso8601` strategy writes dates. */
export function isoNow(date = new Date()) {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
