// Re-read this page from the server and put the fresh copy of some regions (a live
// table's rows, the «Showing … of …» line) in place of the ones shown: for events a page
// cannot patch in place, and after a reconnection. One request whatever the regions;
// presence dots are painted again afterwards (live.js listens for tandem:repaint).
export async function replaceFromServer(selectors) {
  const response = await fetch(location.href, { credentials: "same-origin" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const selector of selectors) {
    const replacement = fresh.querySelector(selector);
    const current = document.querySelector(selector);
    if (replacement && current) current.replaceWith(document.importNode(replacement, true));
  }
  document.dispatchEvent(new Event("tandem:repaint"));
}
