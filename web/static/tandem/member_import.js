// The member import's progress: live from job.progress (dispatched by live.js as the
// `tandem:job.progress` DOM event), and read from the server every few seconds in case
// the socket is down. When the import ends the page is loaded again: the server writes
// the result, the skipped rows and the link to the members.
const section = document.querySelector("[data-member-import]");

function show(data) {
  if (!section || data.kind !== "member_import" || data.id !== Number(section.dataset.memberImport)) return;
  const bar = section.querySelector("progress");
  bar.max = data.total;
  bar.value = data.done;
  bar.textContent = `${data.done} / ${data.total}`;
  const count = section.querySelector("[data-import-count]");
  if (count && count.dataset.template) {
    count.textContent = count.dataset.template.replace("{done}", data.done).replace("{total}", data.total);
  }
  if (data.state === "done" || data.state === "failed") location.reload();
}

async function poll() {
  try {
    const response = await fetch(section.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (response.ok) show(await response.json());
  } catch (err) {
    console.warn("import progress", err);
  }
}

if (section && (section.dataset.state === "queued" || section.dataset.state === "running")) {
  document.addEventListener("tandem:job.progress", (event) => show(event.detail || {}));
  setInterval(poll, 5000);
}
