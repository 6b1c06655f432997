// The administrator's day, live: when something the dashboard lists may have changed — an
// answer, a meeting booked or moved, an email's delivery, someone coming online, the
// program's counts — its sections are read again from the server. A burst of events
// (a series answered at once, a message going out) costs one request.
import { replaceFromServer } from "./regions.js";

const EVENTS = [
  "rsvp.updated",
  "meeting.booked",
  "meeting.updated",
  "email.updated",
  "presence.changed",
  "counts.changed",
];
const QUIET_MS = 1000;

let pending = null;
function refresh() {
  if (pending) return;
  pending = setTimeout(async () => {
    try {
      await replaceFromServer(["[data-attention]"]);
    } catch (err) {
      console.warn("dashboard refresh failed", err);
    } finally {
      pending = null;
    }
  }, QUIET_MS);
}

if (document.querySelector("[data-attention]")) {
  for (const name of EVENTS) document.addEventListener(`tandem:${name}`, refresh);
}
