// The menu button of narrow screens: a real <button aria-expanded aria-controls>; the list
// it controls is shown while the sidebar has .menu-open (tandem.css). Escape closes it and
// gives the focus back to the button.
const button = document.querySelector("[data-menu-toggle]");
const sidebar = button?.closest(".sidebar");

function setOpen(open) {
  button.setAttribute("aria-expanded", String(open));
  sidebar.classList.toggle("menu-open", open);
}

if (button && sidebar) {
  button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
  sidebar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
}
