// A table wider than its box scrolls sideways: keyboard users must reach it too (WCAG
// 2.1.1), so a .table-wrap that scrolls becomes a focusable, named region — and stops
// being one when it fits again, so wide screens get no extra Tab stop.
function label(wrap) {
  const table = wrap.querySelector("table");
  return table?.getAttribute("aria-label")
    || table?.querySelector("caption")?.textContent.trim()
    || document.querySelector("main h1")?.textContent.trim()
    || document.title;
}

function mark() {
  for (const wrap of document.querySelectorAll(".table-wrap")) {
    const scrolls = wrap.scrollWidth > wrap.clientWidth || wrap.scrollHeight > wrap.clientHeight;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", label(wrap));
    } else if (!scrolls && wrap.getAttribute("tabindex") === "0") {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
    }
  }
}

mark();
let pending = null;
window.addEventListener("resize", () => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(mark);
});
// Rows replaced from the server can change the width.
new MutationObserver(() => {
  cancelAnimationFrame(pending);
  pending = requestAnimationFrame(mark);
}).observe(document.querySelector("main") || document.body, { childList: true, subtree: true });
