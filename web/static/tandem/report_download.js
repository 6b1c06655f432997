// A report's download with a progress bar (docs/reports.md). Without JavaScript the link
// is a plain download. With it, the file is fetched here: while it streams, the bar
// shows the rows received against the count the page (or the X-Report-Rows header)
// gives — for an .xlsx, built whole before the first byte, the bytes against its
// Content-Length — then the file is saved under the server's name.
const panel = document.querySelector("[data-report-progress]");
const statusLine = panel?.querySelector("[data-report-progress-status]");
const bar = panel?.querySelector("[data-report-progress-bar]");
const NEWLINE = 10;

function filenameOf(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = header.match(/filename="([^"]+)"/);
  return match ? match[1] : fallback;
}

function say(text) {
  if (statusLine) statusLine.textContent = text;
}

async function download(link) {
  panel.hidden = false;
  bar.value = 0;
  say(panel.dataset.preparingText || statusLine.textContent);
  const response = await fetch(link.href, { credentials: "same-origin" });
  if (!response.ok || !response.body) throw new Error(String(response.status));
  const isCsv = (response.headers.get("Content-Type") || "").startsWith("text/csv");
  const rows = Number(response.headers.get("X-Report-Rows") || link.dataset.rows || 0);
  const size = Number(response.headers.get("Content-Length") || 0);
  // The header line counts as one line of the CSV.
  bar.max = isCsv ? Math.max(1, rows + 1) : Math.max(1, size);
  const reader = response.body.getReader();
  const parts = [];
  let lines = 0;
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    bytes += value.length;
    if (isCsv) {
      for (const byte of value) if (byte === NEWLINE) lines += 1;
      bar.value = Math.min(bar.max, lines);
      say(`${Math.max(0, lines - 1)} / ${rows} ${panel.dataset.rowsText}`);
    } else {
      bar.value = size ? bytes : 0;
      say(`${bytes} ${panel.dataset.bytesText}`);
    }
  }
  const blob = new Blob(parts, { type: response.headers.get("Content-Type") || "" });
  const url = URL.createObjectURL(blob);
  const save = document.createElement("a");
  save.href = url;
  save.download = filenameOf(response, "report");
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  bar.value = bar.max;
  say(panel.dataset.doneText);
}

if (panel && statusLine && bar) {
  for (const link of document.querySelectorAll("[data-report-download]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      download(link).catch(() => say(panel.dataset.failedText));
    });
  }
}
