// Reads the entries of a tar stream (ustar, pax and GNU long names) well enough to find the image
// index of an OCI or docker-save archive.
export class TarError extends Error {}

function field(buf, start, len) {
  const raw = buf.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul === -1 ? len : nul).toString("utf8");
}

function octal(buf, start, len) {
  const text = field(buf, start, len).trim();
  return text ? parseInt(text, 8) : 0;
}

function checksumOk(header) {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
  return sum === stored;
}

function paxRecords(data) {
  const out = {};
  let text = data.toString("utf8");
  while (text.length) {
    const space = text.indexOf(" ");
    const len = Number(text.slice(0, space));
    if (!len) break;
    const record = text.slice(space + 1, len - 1);
    const eq = record.indexOf("=");
    out[record.slice(0, eq)] = record.slice(eq + 1);
    text = text.slice(len);
  }
  return out;
}

/** Map of entry name -> Buffer for regular files. Throws TarError on a malformed stream. */
export function readTar(buf) {
  const files = new Map();
  let offset = 0;
  let longName = null;
  let pax = {};
  while (offset + 512 <= buf.length) {
    const header = buf.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    if (!checksumOk(header)) throw new TarError("archive/tar: invalid tar header");
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = field(header, 345, 155);
    let name = field(header, 0, 100);
    if (prefix) name = `${prefix}/${name}`;
    const dataStart = offset + 512;
    if (dataStart + size > buf.length) throw new TarError("unexpected EOF");
    const data = buf.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (type === "L") {
      longName = data.toString("utf8").replace(/\0+$/, "");
      continue;
    }
    if (type === "x") {
      pax = paxRecords(data);
      continue;
    }
    if (type === "g") continue;
    if (pax.path) name = pax.path;
    if (longName) name = longName;
    longName = null;
    pax = {};
    if (type === "0" || type === "\0") files.set(name.replace(/^\.\//, ""), data);
  }
  return files;
}
