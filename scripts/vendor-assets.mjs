// Copy the browser builds of the npm front-end libraries into the Python package, so
// `pip install .` ships them and the investigator app works without a CDN.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "src", "dentrace", "web", "static", "vendor");
const files = [
  ["cytoscape/dist/cytoscape.esm.min.mjs", "cytoscape.esm.min.js"],
  ["chart.js/dist/chart.umd.min.js", "chart.umd.min.js"],
  ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-bundle.js"],
  ["swagger-ui-dist/swagger-ui.css", "swagger-ui.css"],
];

mkdirSync(vendor, { recursive: true });
for (const [source, target] of files) {
  const from = join(root, "node_modules", source);
  if (!existsSync(from)) {
    console.error(`vendor-assets: ${from} is missing; run \`npm ci\` first`);
    process.exit(1);
  }
  copyFileSync(from, join(vendor, target));
  console.log(`vendor-assets: ${source} -> src/dentrace/web/static/vendor/${target}`);
}
