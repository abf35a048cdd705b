// kubectl's `create namespace|configmap|secret|serviceaccount` send typed objects as Kubernetes protobuf and do not
// fall back to JSON on 415. This decodes exactly those kinds (the fields those generators set); others get 415.

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

function readVarint(buf, pos) {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const byte = buf[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [value, pos];
    shift += 7n;
  }
}

/** field number → array of raw values (Buffer for length-delimited, BigInt for varint). */
function fields(buf) {
  const out = new Map();
  let pos = 0;
  while (pos < buf.length) {
    let key;
    [key, pos] = readVarint(buf, pos);
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      let length;
      [length, pos] = readVarint(buf, pos);
      value = buf.subarray(pos, pos + Number(length));
      pos += Number(length);
    } else if (wire === 1) { value = buf.subarray(pos, pos + 8); pos += 8; }
    else if (wire === 5) { value = buf.subarray(pos, pos + 4); pos += 4; }
    else throw new Error(`unsupported protobuf wire type ${wire}`);
    if (!out.has(number)) out.set(number, []);
    out.get(number).push(value);
  }
  return out;
}

const str = (f, n) => (f.get(n) ? f.get(n).at(-1).toString("utf8") : undefined);
const strs = (f, n) => (f.get(n) ?? []).map((b) => b.toString("utf8"));
const bool = (f, n) => (f.get(n) ? f.get(n).at(-1) !== 0n : undefined);

function map(f, n, decodeValue = (b) => b.toString("utf8")) {
  if (!f.get(n)) return undefined;
  const out = {};
  for (const entry of f.get(n)) {
    const e = fields(entry);
    out[str(e, 1) ?? ""] = decodeValue(e.get(2)?.at(-1) ?? Buffer.alloc(0));
  }
  return out;
}

function compact(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
}

function objectMeta(buf) {
  const f = fields(buf ?? Buffer.alloc(0));
  return compact({ name: str(f, 1), generateName: str(f, 2), namespace: str(f, 3), labels: map(f, 11),
    annotations: map(f, 12), finalizers: strs(f, 14) });
}

const DECODERS = {
  Namespace: (f) => compact({ metadata: objectMeta(f.get(1)?.[0]), spec: f.get(2) ? compact({ finalizers: strs(fields(f.get(2)[0]), 1) }) : undefined }),
  ConfigMap: (f) => compact({ metadata: objectMeta(f.get(1)?.[0]), data: map(f, 2), binaryData: map(f, 3, (b) => b.toString("base64")), immutable: bool(f, 4) }),
  Secret: (f) => compact({ metadata: objectMeta(f.get(1)?.[0]), data: map(f, 2, (b) => b.toString("base64")), type: str(f, 3),
    stringData: map(f, 4), immutable: bool(f, 5) }),
  ServiceAccount: (f) => compact({ metadata: objectMeta(f.get(1)?.[0]),
    imagePullSecrets: (f.get(3) ?? []).map((b) => ({ name: str(fields(b), 1) })), automountServiceAccountToken: bool(f, 4) }),
};

/** Decodes a Kubernetes protobuf body into a JSON object, or returns undefined for kinds it does not know. */
export function decodeKubernetesProtobuf(body) {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error("missing protobuf magic");
  const unknown = fields(body.subarray(4));
  const typeMeta = fields(unknown.get(1)?.[0] ?? Buffer.alloc(0));
  const apiVersion = str(typeMeta, 1);
  const kind = str(typeMeta, 2);
  const decode = apiVersion === "v1" ? DECODERS[kind] : undefined;
  if (!decode) return undefined;
  const object = { apiVersion, kind, ...decode(fields(unknown.get(2)?.[0] ?? Buffer.alloc(0))) };
  object.metadata ??= {};
  return object;
}
