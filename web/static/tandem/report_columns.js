// «Rapport personnalisé»'s column picker (docs/reports.md): «Tout sélectionner ou
// désélectionner» ticks or clears every column shown, and «SVP chercher ici...» hides the
// columns whose name does not contain what is typed. Without JavaScript every checkbox
// is there and the tools stay hidden.
const form = document.querySelector("[data-report-columns]");
const tools = form?.querySelector("[data-report-columns-tools]");
const all = form?.querySelector("[data-select-all]");
const search = form?.querySelector("[data-column-search]");

function shown() {
  return [...form.querySelectorAll("[data-column-item]")].filter((item) => !item.hidden);
}

function boxes(items) {
  return items.map((item) => item.querySelector("input[type=checkbox]"));
}

function refreshAll() {
  const visible = boxes(shown());
  all.checked = visible.length > 0 && visible.every((box) => box.checked);
}

if (form && tools && all && search) {
  tools.hidden = false;
  refreshAll();
  all.addEventListener("change", () => {
    for (const box of boxes(shown())) box.checked = all.checked;
  });
  form.addEventListener("change", (event) => {
    if (event.target !== all) refreshAll();
  });
  const normalise = (text) =>
    text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  search.addEventListener("input", () => {
    const wanted = normalise(search.value.trim());
    for (const item of form.querySelectorAll("[data-column-item]")) {
      item.hidden = wanted !== "" && !normalise(item.textContent).includes(wanted);
    }
    refreshAll();
  });
}
