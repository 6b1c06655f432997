// The email log («Registre des courriels»): type-ahead filters, and delivery statuses
// that change in place as the provider's webhooks arrive (live.js dispatches the
// email.updated events sent to this organisation's administrators).
const table = document.querySelector("table.email-log");
const labels = JSON.parse(document.getElementById("email-log-labels")?.textContent || "{}");
const language = document.documentElement.lang || undefined;

// Times in the viewer's own zone (the one the server rendered the page in), not the
// browser's, so a changed row reads like its neighbours.
function dateFormat() {
  const options = { dateStyle: "medium", timeStyle: "short" };
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone: table?.dataset.timeZone });
  } catch {
    return new Intl.DateTimeFormat(language, options);
  }
}
const format = dateFormat();

function when(iso) {
  return format.format(new Date(iso));
}

function statusText(status, openedAt) {
  const label = labels.statuses?.[status] ?? status;
  if (status === "opened" && openedAt && labels.opened) {
    // Replacer functions: a label containing "$&" must not be read as a pattern.
    return labels.opened
      .replace("%(status)s", () => label)
      .replace("%(opened_at)s", () => when(openedAt));
  }
  return label;
}

document.addEventListener("tandem:email.updated", (event) => {
  const data = event.detail || {};
  const row = table?.querySelector(`tr[data-email="${Number(data.id)}"]`);
  if (!row) return; // not on this page
  const cell = row.querySelector("[data-status]");
  if (cell && data.status) {
    cell.dataset.status = data.status;
    cell.textContent = statusText(data.status, data.opened_at);
  }
  const time = row.querySelector("[data-status-time] time");
  if (time && data.status_at) {
    time.dateTime = data.status_at;
    time.textContent = when(data.status_at);
  }
  row.classList.remove("changed");
  void row.offsetWidth; // restart the highlight when two changes come close together
  row.classList.add("changed");
});

function pickers() {
  if (!window.TomSelect) return;
  for (const select of document.querySelectorAll("select[data-email-log-picker]")) {
    if (select.tomselect) continue;
    // tom-select's words in the page's language (web/widgets.py picker_attrs).
    const escape = (text) => Object.assign(document.createElement("span"), { textContent: text }).innerHTML;
    new window.TomSelect(select, {
      plugins: { remove_button: { title: select.dataset.pickerRemove || "" } },
      maxOptions: 200,
      render: { no_results: () => `<div class="no-results">${escape(select.dataset.pickerEmpty || "")}</div>` },
    });
  }
}
if (document.readyState === "complete") pickers();
else window.addEventListener("load", pickers);
