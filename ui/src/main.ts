import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";

// Marks for `fieldkit-footprint --timeline`: the modules are loaded, the app is mounted.
performance.mark("script");
// The UI font is looked up per platform (app.css, `--font-ui`).
if (navigator.userAgent.includes("Linux")) document.documentElement.classList.add("linux");
const target = document.getElementById("app");
if (!target) throw new Error("Fieldkit: #app element missing from index.html");
mount(App, { target });
performance.mark("mounted");
