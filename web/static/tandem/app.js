// Small page behaviours that need no socket.
import "./scroll_regions.js";

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

// People pickers that ask the server (web/widgets.py): the page holds only the people
// already chosen. Opening one lists everyone alphabetically, a page at a time as the list
// is scrolled; typing narrows it.
function lookupPicker(select) {
  const pageUrl = (query, page) => {
    const url = new URL(select.dataset.lookup, window.location.href);
    url.searchParams.set("q", query);
    url.searchParams.set("page", page);
    return url.toString();
  };
  const escape = (text) => {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  };
  return new window.TomSelect(select, {
    // tom-select's own words ("Remove") in the page's language: web/widgets.py picker_attrs.
    plugins: select.multiple
      ? { remove_button: { title: select.dataset.pickerRemove || "" }, virtual_scroll: {} }
      : ["virtual_scroll"],
    valueField: "value",
    labelField: "text",
    searchField: ["text"],
    allowEmptyOption: !select.multiple,
    maxOptions: 5000,
    loadThrottle: 200,
    preload: "focus",
    placeholder: select.dataset.lookupHint,
    shouldLoad: () => true,
    firstUrl: (query) => pageUrl(query, 1),
    load(query, callback) {
      fetch(this.getUrl(query), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : { results: [] }))
        .then((data) => {
          // Before the callback, as the virtual_scroll plugin asks.
          if (data.next) this.setNextUrl(query, pageUrl(query, data.next));
          callback(data.results || []);
        })
        .catch(() => callback());
    },
    render: {
      no_results: () => `<div class="no-results">${escape(select.dataset.lookupEmpty || "")}</div>`,
      loading_more: () => '<div class="loading-more-results">…</div>',
    },
  });
}

// Member pickers: type-ahead over long lists when tom-select is on the page.
window.addEventListener("load", () => {
  if (!window.TomSelect) return;
  for (const select of document.querySelectorAll("select[data-lookup]")) {
    if (!select.tomselect) lookupPicker(select);
  }
  for (const select of document.querySelectorAll("select[data-picker]")) {
    if (select.tomselect) continue;
    const empty = document.createElement("div");
    empty.className = "no-results";
    empty.textContent = select.dataset.pickerEmpty || "";
    new window.TomSelect(select, {
      maxOptions: 200,
      allowEmptyOption: true,
      render: { no_results: () => empty.outerHTML },
    });
  }
});

// «Copy»: a button's data-copy names the field whose value goes to the clipboard.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (field) navigator.clipboard.writeText(field.value);
});
