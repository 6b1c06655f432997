// The «Rencontres» tab, live: a participant's answer changes its tick in place; a meeting
// booked, cancelled or moved elsewhere makes the table re-read its rows from the server.
import { announce, phrase } from "./announce.js";
import { replaceFromServer } from "./regions.js";

const TICKS = { accepted: "✓", declined: "✗", pending: "?" };
const table = document.querySelector('[data-live-table="meetings"]');

const ANSWERS = { accepted: "rsvpAccepted", declined: "rsvpDeclined", pending: "rsvpPending" };

function paintAnswer({ meeting_id: meetingId, user_id: userId, response }) {
  if (!(response in TICKS)) return;
  for (const span of document.querySelectorAll(`[data-attendee="${meetingId}:${userId}"]`)) {
    // Said once per change (announce.js merges a series answered at once).
    if (span.dataset.response !== response && span.dataset.name) {
      announce(phrase(ANSWERS[response], { name: span.dataset.name }));
    }
    span.dataset.response = response;
    const tick = span.querySelector(".tick");
    if (tick) tick.textContent = TICKS[response];
    const label = span.dataset[`label${response[0].toUpperCase()}${response.slice(1)}`];
    if (label) { span.setAttribute("aria-label", label); span.title = label; }
  }
}

let pending = null;
async function reloadRows() {
  // Several events in a burst (a weekly series) cost one request.
  if (pending) return;
  pending = setTimeout(async () => {
    try {
      await replaceFromServer(['[data-live-table="meetings"] tbody', "[data-showing]"]);
    } catch (err) {
      console.warn("meetings refresh failed", err);
    } finally {
      pending = null;
    }
  }, 250);
}

if (table) {
  document.addEventListener("tandem:rsvp.updated", (event) => paintAnswer(event.detail || {}));
  document.addEventListener("tandem:meeting.booked", reloadRows);
  document.addEventListener("tandem:meeting.updated", reloadRows);
}

// «Book Meeting» and «Reporter»: picking a date or a duration re-reads the free slots.
for (const form of document.querySelectorAll("[data-slots-form]")) {
  const day = form.querySelector("[data-slots-day]");
  const duration = form.querySelector("[data-slots-duration]");
  const select = form.querySelector("[data-slots-select]");
  async function refresh() {
    const params = new URLSearchParams({ date: day.value });
    params.set("duration", duration ? duration.value : form.dataset.slotsFixedDuration || "");
    if (form.dataset.slotsMeeting) params.set("meeting", form.dataset.slotsMeeting);
    try {
      const response = await fetch(`${form.dataset.slotsUrl}?${params}`, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (!response.ok) return;
      const data = await response.json();
      const previous = select.value;
      select.replaceChildren();
      for (const slot of data.slots) {
        select.append(new Option(slot.label, slot.value, false, slot.value === previous));
      }
      if (!data.slots.length) select.append(new Option(select.dataset.emptyLabel || "", ""));
    } catch (err) {
      console.warn("slots refresh failed", err);
    }
  }
  day?.addEventListener("change", refresh);
  duration?.addEventListener("change", refresh);
}
