// The members list's selection (docs/members.md, "Selection actions"). Without this
// script the rows' boxes, «Sélectionner les N membres correspondant au filtre» and the
// action buttons already work (the boxes belong to the form through form="…"); with it:
// «select all on this page», the «all N matching» box offered only once the whole page is
// ticked, a count of what is selected, and the ticks kept when live.js re-reads the rows.
import { announce } from "./announce.js";

const form = document.querySelector("[data-member-selection]");
const pageLabel = form?.querySelector("[data-select-page-label]");
const pageBox = form?.querySelector("[data-select-page]");
const matching = form?.querySelector("[data-select-matching]");
const matchingBox = form?.querySelector("[data-select-matching-box]");
const count = form?.querySelector("[data-selection-count]");
let chosen = new Set();

const rowBoxes = () => [...document.querySelectorAll("[data-select-member]")];

function selectedText() {
  if (matchingBox?.checked) return form.dataset.countMatching;
  if (!chosen.size) return form.dataset.countNone;
  const plural = new Intl.PluralRules(document.documentElement.lang || "en").select(chosen.size);
  const template = plural === "one" ? form.dataset.countOne : form.dataset.countOther;
  return template.replace("{count}", String(chosen.size));
}

function refresh() {
  const boxes = rowBoxes();
  const ticked = boxes.filter((box) => box.checked).length;
  pageBox.checked = boxes.length > 0 && ticked === boxes.length;
  pageBox.indeterminate = ticked > 0 && ticked < boxes.length;
  if (matching) {
    // "All N matching" is offered once every row of the page is ticked, as mail clients do.
    matching.hidden = !pageBox.checked;
    if (matching.hidden) matchingBox.checked = false;
  }
  count.textContent = selectedText();
}

// The rows shown now are the selection's truth: a row gone after a live re-read leaves it.
function readRows() {
  chosen = new Set(rowBoxes().filter((box) => box.checked).map((box) => box.value));
}

if (form && pageBox && count) {
  pageLabel.hidden = false;
  document.addEventListener("change", (event) => {
    const box = event.target.closest?.("[data-select-member]");
    if (!box) return;
    if (box.checked) chosen.add(box.value);
    else chosen.delete(box.value);
    refresh();
  });
  pageBox.addEventListener("change", () => {
    for (const box of rowBoxes()) box.checked = pageBox.checked;
    readRows();
    refresh();
    announce(count.textContent);
  });
  matchingBox?.addEventListener("change", () => {
    refresh();
    announce(count.textContent);
  });
  // live.js replaced the rows (a member added, a reconnection): tick them again.
  document.addEventListener("tandem:repaint", () => {
    for (const box of rowBoxes()) box.checked = chosen.has(box.value);
    readRows();
    refresh();
  });
  readRows(); // the browser may have restored ticks (back button)
  refresh();
}
