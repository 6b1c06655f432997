// The «Conversations» tab: each row's post count and last activity follow
// `conversation.activity` (counts and times only — administrators never get text here).
const table = document.querySelector('[data-live-table="conversations"]');
const lang = document.documentElement.lang || "en";
const timeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

document.addEventListener("tandem:conversation.activity", (event) => {
  const data = event.detail;
  const row = table?.querySelector(`tr[data-conversation="${data.relationship_id}"]`);
  if (!row) return;
  row.querySelector("[data-posts]").textContent = String(data.posts);
  const cell = row.querySelector("[data-last-activity]");
  cell.textContent = "";
  if (data.last_activity) {
    const time = document.createElement("time");
    time.dateTime = data.last_activity;
    time.textContent = timeFormat.format(new Date(data.last_activity));
    cell.append(time);
  } else {
    cell.textContent = "—";
  }
});
