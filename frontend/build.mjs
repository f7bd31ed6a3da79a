// Builds the stylesheet and copies the GOV.UK Frontend script and assets into static/.
import { cpSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "src/alongside/core/static");
const govuk = join(root, "node_modules/govuk-frontend/dist/govuk");

rmSync(join(out, "govuk"), { recursive: true, force: true });
mkdirSync(join(out, "alongside"), { recursive: true });
mkdirSync(join(out, "govuk/assets"), { recursive: true });

const result = sass.compile(join(root, "frontend/scss/app.scss"), {
  loadPaths: [join(root, "node_modules/govuk-frontend/dist")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "alongside/app.css"), result.css);

cpSync(join(root, "frontend/js/app.js"), join(out, "alongside/app.js"));
cpSync(join(root, "frontend/js/map.js"), join(out, "alongside/map.js"));
// Leaflet, for the results map (loaded on that page only). Its source map is not shipped, so
// the comment pointing to it goes too (collectstatic's manifest would look for the file).
const leaflet = join(root, "node_modules/leaflet/dist");
rmSync(join(out, "alongside/leaflet"), { recursive: true, force: true });
mkdirSync(join(out, "alongside/leaflet"), { recursive: true });
writeFileSync(
  join(out, "alongside/leaflet/leaflet.js"),
  readFileSync(join(leaflet, "leaflet.js"), "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"),
);
cpSync(join(leaflet, "leaflet.css"), join(out, "alongside/leaflet/leaflet.css"));
cpSync(join(leaflet, "images"), join(out, "alongside/leaflet/images"), { recursive: true });
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "alongside/govuk-frontend.min.js"));
cpSync(join(govuk, "assets/manifest.json"), join(out, "govuk/assets/manifest.json"));
// Only the neutral favicon shape is ours to draw; GOV.UK's crest and crown stay out.
mkdirSync(join(out, "govuk/assets/images"), { recursive: true });
cpSync(join(root, "node_modules/axe-core/axe.min.js"), join(root, "var/axe.min.js"));
console.log(`built ${join(out, "alongside/app.css")} (${result.css.length} bytes)`);
