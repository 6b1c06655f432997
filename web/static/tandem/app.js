// Small page behaviours that need no socket.
function csrfToken(form) {
  return form.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
}

// «Actif»: unticking deactivates at once, ticking reactivates — no confirmation (F9).
document.addEventListener("change", async (event) => {
  const box = event.target.closest("[data-active-toggle]");
  if (!box) return;
  const form = box.form;
  const body = new FormData(form);
  body.set("active", box.checked ? "1" : "0");
  box.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(form) },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error || response.statusText);
    box.checked = data.active;
  } catch (err) {
    box.checked = !box.checked;
    window.alert(err.message);
  } finally {
    box.disabled = false;
  }
});

document.addEventListener("submit", (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Member pickers: type-ahead over long lists when tom-select is on the page.
window.addEventListener("load", () => {
  if (!window.TomSelect) return;
  for (const select of document.querySelectorAll("select[data-picker]")) {
    new window.TomSelect(select, { maxOptions: 200, allowEmptyOption: true });
  }
});
