// One WebSocket per page: live events in, presence heartbeats out.
// Reconnects with jittered exponential backoff; the server resends a presence snapshot
// and the counts on every (re)connection, so nothing missed while away stays stale.
import { announce, phrase, pluralKey } from "./announce.js";
import { replaceFromServer } from "./regions.js";

const script = document.getElementById("live-script");
const path = script?.dataset.liveUrl || "/ws/";
const heartbeatMs = Number(script?.dataset.heartbeat || 20) * 1000;
const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_DEACTIVATED = 4403;

let socket = null;
// The server's ticket for the next handshake (realtime/sockets/tickets.py): with it, a
// reconnection (after a deploy, everyone at once) or the next page's socket does not
// read the database. Kept for the tab (it opens nothing without the session cookie).
const TICKET_KEY = "tandem.socketTicket";
function storedTicket() {
  try { return sessionStorage.getItem(TICKET_KEY); } catch { return null; }
}
function storeTicket(value) {
  try { sessionStorage.setItem(TICKET_KEY, value); } catch { /* storage refused: memory only */ }
}
let ticket = storedTicket();
let attempt = 0;
let connectedBefore = false;
let beatTimer = null;
const online = new Set();

function setStatus(state) {
  const el = document.getElementById("live-status");
  if (el) el.dataset.state = state;
  document.documentElement.dataset.live = state;
}

// `announceChanges`: say it when a dot that asks for it (a member's own page, not a list)
// changes state; the snapshot on (re)connection only repaints.
function paintDots(announceChanges = false) {
  for (const dot of document.querySelectorAll("[data-presence-user]")) {
    const on = online.has(Number(dot.dataset.presenceUser));
    const was = dot.classList.contains("online");
    dot.classList.toggle("online", on);
    if (announceChanges && was !== on && dot.dataset.presenceAnnounce) {
      announce(phrase(on ? "presenceOnline" : "presenceOffline", { name: dot.dataset.presenceAnnounce }));
    }
    const label = on ? dot.dataset.labelOn : dot.dataset.labelOff;
    if (label) { dot.title = label; dot.setAttribute("aria-label", label); }
  }
}

const handlers = {
  "socket.ticket": (data) => { ticket = data.ticket; storeTicket(ticket); },
  "presence.snapshot": (data) => {
    online.clear();
    for (const id of data.online) online.add(id);
    paintDots();
  },
  "presence.changed": (data) => {
    for (const id of data.online) online.add(id);
    for (const id of data.offline) online.delete(id);
    paintDots(true);
  },
  "counts.changed": (data) => {
    for (const [key, value] of Object.entries(data)) {
      for (const el of document.querySelectorAll(`[data-count="${key}"]`)) el.textContent = value;
    }
  },
  "bell.changed": (data) => {
    const badges = document.querySelectorAll("[data-bell-count]");
    const changed = [...badges].some((badge) => badge.textContent !== String(data.unread));
    const before = Math.max(0, ...[...badges].map((badge) => Number(badge.textContent) || 0));
    for (const badge of badges) {
      badge.textContent = data.unread;
      badge.hidden = data.unread === 0;
    }
    // The bell's accessible name carries the count, as its badge shows it.
    for (const bell of document.querySelectorAll(".bell[data-label-none]")) {
      const key = data.unread ? pluralKey("label", data.unread) : "labelNone";
      bell.setAttribute("aria-label", (bell.dataset[key] || "").replace("{count}", data.unread));
    }
    if (badges.length && data.unread > before) {
      const added = data.unread - before;
      announce(phrase(pluralKey("bell", added), { count: added }));
    }
    // On the notifications page itself, show the new lines too.
    if (changed && document.querySelector('[data-live-table="notifications"]')) refreshLiveTables();
  },
  "member.updated": (data) => {
    const box = document.querySelector(`tr[data-member="${data.id}"] [data-active-toggle]`);
    if (box && "active" in data) box.checked = data.active;
    // «Date de fin»: set on deactivation, cleared on reactivation.
    const ended = document.querySelector(`tr[data-member="${data.id}"] [data-ended-on]`);
    if (ended && "ended_on" in data) {
      ended.dataset.endedOn = data.ended_on || "";
      ended.textContent = data.ended_on ? dayLabel(data.ended_on) : "";
    }
  },
  "members.updated": (data) => {
    // A deactivation file: every listed row's «Actif» and «Date de fin» at once.
    for (const id of data.ids) {
      handlers["member.updated"]({ id, active: data.active, ended_on: data.ended_on });
    }
  },
  "members.added": (data) => {
    // New rows belong wherever the list's order and filters put them: re-read the rows.
    if (!document.querySelector('[data-live-table="members"]')) return;
    refreshLiveTables();
    const added = data.ids.length;
    if (added) announce(phrase(pluralKey("membersAdded", added), { count: added }));
  },
};

// An ISO date ("2026-12-01") in words, in the page's language.
function dayLabel(iso) {
  const [year, month, day] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(document.documentElement.lang || "en", {
    year: "numeric", month: "long", day: "numeric", timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

async function refreshLiveTables() {
  const tables = document.querySelectorAll("[data-live-table]");
  if (!tables.length) return;
  try {
    await replaceFromServer(
      [...tables].map((table) => `[data-live-table="${table.dataset.liveTable}"] tbody`),
    );
  } catch (err) {
    console.warn("table refresh failed", err);
  }
}

function dispatch(message) {
  handlers[message.event]?.(message.data || {});
  document.dispatchEvent(new CustomEvent(`tandem:${message.event}`, { detail: message.data }));
}

function scheduleBeat(first) {
  // The first beat is jittered so a thousand tabs opened together don't beat in step.
  const delay = first ? Math.random() * heartbeatMs : heartbeatMs;
  beatTimer = setTimeout(() => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send('{"type":"heartbeat"}');
    scheduleBeat(false);
  }, delay);
}

function retry() {
  const ceiling = Math.min(30000, 1000 * 2 ** attempt);
  attempt += 1;
  setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
}

function connect() {
  setStatus("connecting");
  socket = new WebSocket(ticket ? `${url}?ticket=${encodeURIComponent(ticket)}` : url);
  socket.addEventListener("open", () => {
    attempt = 0;
    setStatus("open");
    scheduleBeat(true);
    // Back after a disconnection: the snapshot repairs dots and counts; tables whose
    // rows may have changed meanwhile are re-read from the server.
    if (connectedBefore) refreshLiveTables();
    // Page scripts catch up too (conversation.js asks for the posts it missed).
    document.dispatchEvent(new CustomEvent("tandem:socket-open", { detail: { reconnected: connectedBefore } }));
    connectedBefore = true;
  });
  socket.addEventListener("message", (event) => {
    try { dispatch(JSON.parse(event.data)); } catch (err) { console.error(err); }
  });
  socket.addEventListener("close", (event) => {
    clearTimeout(beatTimer);
    setStatus("closed");
    if (event.code === CLOSE_DEACTIVATED) { location.reload(); return; }
    if (event.code === CLOSE_UNAUTHENTICATED) return;
    retry();
  });
}

// Page scripts send over the one socket with a "tandem:send" event (e.g. conversation.js:
// {"action": "typing", …}); dropped while the socket is down.
document.addEventListener("tandem:send", (event) => {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(event.detail));
});

// Page scripts that replace rows ask for the dots to be painted again.
document.addEventListener("tandem:repaint", () => paintDots());

for (const dot of document.querySelectorAll("[data-presence-user].online")) {
  online.add(Number(dot.dataset.presenceUser));
}
connect();
