// «Exporter tous les rapports»: each archive being prepared moves its <progress> live
// from job.progress (live.js dispatches `tandem:job.progress`, kind "report_archive"),
// and asks the server every 5 seconds in case the socket is down. When it ends, the
// server's sentence (size, kept until) replaces the count and the download link shows —
// no reload.
const rows = new Map();
for (const row of document.querySelectorAll("[data-report-archive]")) {
  if (row.dataset.state === "queued" || row.dataset.state === "running") {
    rows.set(Number(row.dataset.reportArchive), row);
  }
}

async function read(row) {
  try {
    const response = await fetch(row.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (response.ok) show(await response.json(), true);
  } catch (err) {
    console.warn("archive progress", err);
  }
}

function show(data, fromServer) {
  const row = data.kind === "report_archive" ? rows.get(data.id) : undefined;
  if (!row) return;
  const bar = row.querySelector("[data-archive-bar]");
  if (bar) {
    bar.max = data.total;
    bar.value = data.done;
    bar.textContent = `${data.done} / ${data.total}`;
  }
  const status = row.querySelector("[data-archive-status]");
  if (data.state === "running") {
    if (status) {
      status.textContent = fromServer
        ? data.message
        : status.dataset.running.replace("{done}", data.done).replace("{total}", data.total);
    }
    return;
  }
  if (!fromServer) {
    // The sentence for the end (its size and date) is the server's: read it once.
    read(row);
    return;
  }
  rows.delete(data.id);
  row.dataset.state = data.state;
  if (status) status.textContent = data.message;
  if (bar) bar.hidden = true;
  if (data.state === "done") row.querySelector("[data-archive-download]").hidden = false;
}

if (rows.size) {
  document.addEventListener("tandem:job.progress", (event) => show(event.detail || {}, false));
  const timer = setInterval(() => {
    if (!rows.size) clearInterval(timer);
    for (const row of rows.values()) read(row);
  }, 5000);
}
