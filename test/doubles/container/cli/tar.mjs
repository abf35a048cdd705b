// Minimal ustar writer/reader for `image save` / `image load` archives (regular files only).

function header(name, size) {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, "utf8");
  block.write("0000644\0", 100, "ascii");
  block.write("0000000\0", 108, "ascii");
  block.write("0000000\0", 116, "ascii");
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  block.write(`${"0".padStart(11, "0")}\0`, 136, "ascii");
  block.write("        ", 148, "ascii");
  block.write("0", 156, "ascii");
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return block;
}

/** files: [{ name, data: Buffer|string }] → tar Buffer. */
export function writeTar(files) {
  const chunks = [];
  for (const file of files) {
    const data = Buffer.from(file.data);
    chunks.push(header(file.name, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  chunks.push(Buffer.alloc(1024));
  return Buffer.concat(chunks);
}

/** tar Buffer → Map(name → Buffer). Throws on a malformed archive. */
export function readTar(buffer) {
  const files = new Map();
  let offset = 0;
  while (offset + 512 <= buffer.length) {
    const block = buffer.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const name = block.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
    const size = Number.parseInt(block.subarray(124, 136).toString("ascii").replace(/\0.*$/s, "").trim() || "0", 8);
    if (!name || !Number.isFinite(size)) throw new Error("malformed tar archive");
    const start = offset + 512;
    if (start + size > buffer.length) throw new Error("truncated tar archive");
    files.set(name.replace(/^\.\//, ""), buffer.subarray(start, start + size));
    offset = start + Math.ceil(size / 512) * 512;
  }
  return files;
}
