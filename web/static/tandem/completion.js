// The members list's «Achèvement des profils», live (docs/members.md): `member.completion`
// repaints the cells of the members shown; «Recalculer valeur du profil» is posted without
// leaving the page, and `job.progress` of the recalculation moves the <progress>; when it
// ends the rows are read again and the notice says it is done.
import { announce } from "./announce.js";
import { replaceFromServer } from "./regions.js";

const notice = document.querySelector("[data-recalculation]");
const bar = notice?.querySelector("[data-recalculation-progress]");
const button = document.querySelector("[data-recalculate]");

document.addEventListener("tandem:member.completion", (event) => {
  for (const [id, percent] of event.detail.figures) {
    for (const cell of document.querySelectorAll(`[data-completion="${id}"]`)) {
      cell.textContent = `${percent}%`;
    }
  }
});

let finishedRun = null;

async function show(progress) {
  if (!notice) return;
  if (finishedRun === progress.id) return; // a late event of a run already shown ended
  notice.dataset.jobId = String(progress.id);
  bar.max = Math.max(1, progress.total);
  bar.value = progress.state === "running" ? progress.done : progress.total;
  bar.textContent = `${progress.done}/${progress.total}`;
  if (progress.state === "running") {
    notice.hidden = false;
    notice.dataset.state = "running";
    return;
  }
  finishedRun = progress.id;
  try {
    await replaceFromServer(['[data-live-table="members"] tbody']);
  } catch (err) {
    console.warn("members refresh failed", err);
  }
  notice.hidden = true;
  notice.dataset.state = progress.state;
  if (button) button.disabled = false;
  if (progress.state === "done") announce(notice.dataset.doneText);
}

document.addEventListener("tandem:job.progress", (event) => {
  if (event.detail.kind === "completion_recalculate") show(event.detail);
});

button?.form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  notice.hidden = false;
  notice.dataset.state = "running";
  const response = await fetch(button.form.action, {
    method: "POST",
    body: new FormData(button.form),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  const answer = await response.json();
  if (!response.ok) {
    notice.hidden = true;
    button.disabled = false;
    announce(answer.error || "");
    return;
  }
  show(answer);
});
