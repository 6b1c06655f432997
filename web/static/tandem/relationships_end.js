// «Terminer toutes les relations» running in the background: its progress live from
// job.progress (live.js dispatches `tandem:job.progress`); the page is loaded again when
// it ends, and every 15 seconds in case the socket is down.
const section = document.querySelector("[data-relationships-end]");

function show(data) {
  if (!section || data.kind !== "relationships_end_all" || data.id !== Number(section.dataset.relationshipsEnd)) return;
  const bar = section.querySelector("progress");
  if (bar) {
    bar.max = data.total;
    bar.value = data.done;
    bar.textContent = `${data.done} / ${data.total}`;
  }
  if (data.state === "done" || data.state === "failed") location.reload();
}

if (section && (section.dataset.state === "queued" || section.dataset.state === "running")) {
  document.addEventListener("tandem:job.progress", (event) => show(event.detail || {}));
  setInterval(() => location.reload(), 15000);
}
