// The members list's «Champ personnalisé» → «Options» (docs/members.md, filters): without
// this script every option is listed under its field's name and the form checks the pair;
// with it, only the chosen field's options are offered, and changing the field clears an
// option of another field.
const form = document.querySelector("[data-member-filters]");
const fieldSelect = form?.querySelector("select[name=field]");
const optionSelect = form?.querySelector("select[data-field-options]");

function offer() {
  const chosen = fieldSelect.value;
  for (const group of optionSelect.querySelectorAll("optgroup")) {
    const shown = group.dataset.field === chosen;
    group.hidden = !shown;
    group.disabled = !shown;
  }
  const selected = optionSelect.selectedOptions[0];
  if (selected && selected.parentElement.dataset.field !== chosen && selected.value) {
    optionSelect.value = "";
  }
  optionSelect.disabled = chosen === "";
}

if (fieldSelect && optionSelect) {
  fieldSelect.addEventListener("change", offer);
  offer();
}
