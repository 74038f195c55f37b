// Runs inside the app (WebDriver executeAsync): for each view, clicks it and
// measures the time until its first rows are painted (the list shows the
// view's own total and at least one row, then one animation frame).
const done = arguments[arguments.length - 1];
const results = [];
const views = ["all", "my_todo", "technicians_queue", "office_admin", "all"];
let i = 0;
function next() {
  if (i >= views.length) { done(JSON.stringify(results)); return; }
  const view = views[i++];
  // Leave the view first so the list is rebuilt.
  document.querySelector(`[data-testid='view-${view === "all" ? "my_todo" : "all"}']`).click();
  setTimeout(() => {
    const before = document.querySelector("[data-testid='ticket-list']");
    const start = performance.now();
    document.querySelector(`[data-testid='view-${view}']`).click();
    function poll() {
      const list = document.querySelector("[data-testid='ticket-list']");
      const rows = list ? list.querySelectorAll("[data-testid^='ticket-row-']").length : 0;
      const total = list ? list.getAttribute("data-total") : "";
      const expected = document.querySelector(`[data-testid='view-count-${view}']`).textContent.trim();
      if (rows > 0 && total === expected) {
        requestAnimationFrame(() => { results.push({ view, ms: Math.round(performance.now() - start), rows, total }); setTimeout(next, 300); });
      } else if (performance.now() - start > 5000) { results.push({ view, ms: -1 }); next(); }
      else requestAnimationFrame(poll);
    }
    poll();
  }, 800);
}
next();
