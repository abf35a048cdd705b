// `npm run build`, after tsc: bundles kina's entry point (src/cli/main.ts) with esbuild into the
// bin (package.json bin.kina), so the commands run many times a day (--version, status, get
// clusters) load a handful of files instead of a module graph. Kept out of the bundle and loaded
// as they are: every npm dependency (zod, yargs, execa, xstate, client-node load only on the paths
// that need them) and the yargs app, ./app.js, with everything it imports, which is tsc's output
// beside the bundle (dist/src/cli/app.js), the same code the tests import.
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const bin = join(root, JSON.parse(readFileSync(join(root, "package.json"), "utf8")).bin.kina);
const outdir = dirname(bin);
rmSync(join(outdir, "chunks"), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { main: "src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  legalComments: "none",
  logLevel: "warning",
  plugins: [
    {
      name: "app-stays-compiled",
      setup(b) {
        // main.ts's `import("./app.js")`: the compiled app next to the bin, not a bundled copy.
        b.onResolve({ filter: /^\.\/app\.js$/ }, (args) =>
          args.importer.endsWith(join("src", "cli", "main.ts")) ? { path: "./app.js", external: true } : undefined,
        );
        // The steps' driver loads src/steps/<step>.js by a computed name: the compiled one too,
        // reached from the chunk that imports it (dist/src/cli/chunks/ → dist/src/steps/).
        b.onResolve({ filter: /^\.\.\/steps\/driver\.js$/ }, (args) =>
          args.importer.includes(join("src", "cli")) ? { path: "../../steps/driver.js", external: true } : undefined,
        );
      },
    },
  ],
});
chmodSync(bin, 0o755);
