import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

// Marks for `fieldkit-footprint --timeline`: the modules are loaded, the app is mounted.
performance.mark("script");
// The UI font is chosen per platform (app.css, `--font-ui`). On Linux it is
// the UI's own, asked for now so it has arrived (in a few ms) by the time the
// first screen's data has: text laid out before it arrives would be matched
// through fontconfig after all.
if (navigator.userAgent.includes("Linux")) {
  document.documentElement.classList.add("linux");
  for (const weight of ["400", "600"]) void document.fonts.load(`${weight} 14px "Fieldkit UI"`).catch(() => undefined);
}

const target = document.getElementById("app");
if (!target) throw new Error("Fieldkit: #app element missing from index.html");
mount(App, { target });
performance.mark("mounted");
