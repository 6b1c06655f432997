// «Lien d'invitation» on the administrator's dashboard: «Copier le lien» puts the link on
// the clipboard and says so, on the button and in its status line (read by screen
// readers). Without JavaScript the button stays hidden and the read-only field is there
// to select and copy by hand.
for (const button of document.querySelectorAll("[data-copy-link]")) {
  const input = document.getElementById(button.dataset.copyLink);
  const status = button.closest(".invitation-link")?.querySelector("[data-copy-status]");
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  const label = button.textContent;
  let timer = null;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select(); // the browser refused: leave it selected for Ctrl+C
      return;
    }
    button.textContent = button.dataset.copied;
    if (status) status.textContent = button.dataset.copied;
    clearTimeout(timer);
    timer = setTimeout(() => {
      button.textContent = label;
      if (status) status.textContent = "";
    }, 3000);
  });
}
// A click in the field selects the whole address.
for (const input of document.querySelectorAll("[data-invitation-url]")) {
  input.addEventListener("focus", () => input.select());
}
