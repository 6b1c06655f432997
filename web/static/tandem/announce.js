// The page's one polite live region (#live-announcer in base.html): what changed live,
// in words. Messages arriving together are said once, at most three, after a short pause,
// so a burst of events (a series answered at once, a bulk change) is never a flood.
const region = document.getElementById("live-announcer");
const PAUSE_MS = 800;
const MOST = 3;
let queued = [];
let timer = null;

// A translated string of the live region, its {placeholders} filled.
export function phrase(key, values = {}) {
  const template = region?.dataset[key];
  if (!template) return "";
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// The key of a count's plural form in this page's language ("bellOne" or "bellOther").
export function pluralKey(prefix, count) {
  const form = new Intl.PluralRules(document.documentElement.lang || "en").select(count);
  return prefix + (form === "one" ? "One" : "Other");
}

export function announce(message) {
  if (!region || !message) return;
  queued = queued.filter((m) => m !== message);
  queued.push(message);
  clearTimeout(timer);
  timer = setTimeout(() => {
    const said = queued.slice(-MOST).join(". ");
    queued = [];
    region.textContent = said;
  }, PAUSE_MS);
}
