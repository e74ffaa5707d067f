"use strict";
// Preloaded into the jsii Node process (node --require) by fargate_batch.fast_provider_import.
//
// Why: a prebuilt CDKTF provider's lib/index.js is nothing but `exports.x = require("./x");` for
// every resource; for @cdktf/provider-aws that is 2,135 files and ~250 MB of JavaScript read and
// compiled (~2 s) on every synth, although a stack uses a dozen. The jsii kernel finds a class by
// walking the index's exports (`closure.ecsCluster.EcsCluster`), so the same exports defined as
// getters that require on first access give the same classes, loaded on demand.
//
// Only an index made of exactly those statements is rewritten; anything else is compiled as shipped.

const fs = require("fs");
const Module = require("module");
const path = require("path");

const REQUIRE_LINE = /^exports\.([A-Za-z_$][\w$]*) = require\("(\.\/[\w.-]+)"\);$/;
const HARMLESS_LINES = [
  /^$/,
  /^"use strict";$/,
  /^\/\*\*$/,
  /^ \*( .*)?$/,
  /^ \*\/$/,
  /^\/\/.*$/,
  /^Object\.defineProperty\(exports, "__esModule", \{ value: true \}\);$/,
  /^(exports\.[A-Za-z_$][\w$]* = )+void 0;$/,
];

function providerPackageName(filename) {
  if (path.basename(filename) !== "index.js" || path.basename(path.dirname(filename)) !== "lib") {
    return undefined;
  }
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(filename), "..", "package.json"), "utf8"));
    return /^@cdktf\/provider-/.test(manifest.name) ? manifest.name : undefined;
  } catch {
    return undefined;
  }
}

// Returns the lazy module source, or undefined if the index is not of the expected shape.
function lazyIndexSource(shipped) {
  const exported = [];
  for (const line of shipped.split("\n")) {
    const match = REQUIRE_LINE.exec(line);
    if (match) {
      exported.push([match[1], match[2]]);
    } else if (!HARMLESS_LINES.some((pattern) => pattern.test(line))) {
      return undefined;
    }
  }
  if (exported.length === 0) {
    return undefined;
  }
  return [
    '"use strict";',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    "function lazy(name, specifier) {",
    "  Object.defineProperty(exports, name, {",
    "    enumerable: true,",
    "    configurable: true,",
    "    get() {",
    "      const value = require(specifier);",
    "      Object.defineProperty(exports, name, { value, enumerable: true, writable: true, configurable: true });",
    "      return value;",
    "    },",
    "  });",
    "}",
    ...exported.map(([name, specifier]) => `lazy(${JSON.stringify(name)}, ${JSON.stringify(specifier)});`),
    "",
  ].join("\n");
}

// Module._extensions is CommonJS's per-extension compile hook; a Node without it loads everything as shipped.
const compileShipped = Module._extensions && Module._extensions[".js"];
if (typeof compileShipped === "function") {
  Module._extensions[".js"] = compileLazyProviderIndex;
}

function compileLazyProviderIndex(module, filename) {
  const name = providerPackageName(filename);
  if (name !== undefined) {
    const lazySource = lazyIndexSource(fs.readFileSync(filename, "utf8"));
    if (lazySource !== undefined) {
      if (process.env.FARGATE_BATCH_LAZY_INDEX_DEBUG) {
        process.stderr.write(`lazy provider index: ${name}\n`);
      }
      module._compile(lazySource, filename);
      return;
    }
  }
  compileShipped(module, filename);
}
