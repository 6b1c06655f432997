// The conversation page: posts arrive over the page's one socket (live.js), the form posts
// with fetch, «Messages précédents» loads older pages, and every (re)connection asks the
// server for what was missed. Posts are keyed by id, so none is ever shown twice.
//
// A post's text arrives as HTML the server made with workspace.text.post_html (the same
// function the page's template uses): escaped text, http(s) links, <br>. Only that field is
// inserted as HTML; everything else (names, labels) goes in through textContent.
const root = document.getElementById("conversation");

if (root) {
  const relationshipId = Number(root.dataset.relationship);
  const me = Number(root.dataset.me);
  const partner = Number(root.dataset.partner);
  const editWindowMs = Number(root.dataset.editWindow || 300) * 1000;
  const list = root.querySelector("[data-posts]");
  const typingLine = root.querySelector("[data-typing]");
  const receipt = root.querySelector("[data-read-receipt]");
  const empty = root.querySelector("[data-empty]");
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]")?.value
    || document.querySelector("input[name=csrfmiddlewaretoken]")?.value || "";
  const lang = document.documentElement.lang || "en";
  const timeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

  let serverNow = root.dataset.now;
  let partnerRead = Number(root.dataset.partnerRead || 0);
  let lastSentRead = 0;
  let typedAt = 0;
  let typingTimer = null;

  const posts = () => [...list.querySelectorAll("li[data-post-id]")];
  const ids = () => posts().map((li) => Number(li.dataset.postId));
  const lastId = () => Math.max(0, ...ids());
  const firstId = () => Math.min(...ids());

  function urlFor(template, postId) {
    return template.replace(/\/0\/(edit|delete)\/$/, `/${postId}/$1/`);
  }

  function el(tag, attrs = {}, text = "") {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  function hiddenCsrf() {
    return el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf });
  }

  function actions(post) {
    const box = el("div", { class: "post-actions" });
    if (Date.now() < Date.parse(post.created_at) + editWindowMs && root.dataset.open) {
      const details = el("details", { class: "post-edit" });
      details.append(el("summary", {}, root.dataset.editText));
      const form = el("form", { method: "post", action: urlFor(root.dataset.editUrl, post.post_id), "data-edit-form": "" });
      const id = `edit-${post.post_id}`;
      form.append(hiddenCsrf(), el("label", { for: id }, root.dataset.editLabel));
      const area = el("textarea", { id, name: "text", rows: "3", required: "", "data-edit-text": "" });
      form.append(area);
      form.append(el("button", { type: "submit", class: "small primary" }, root.dataset.saveText));
      details.append(form);
      box.append(details);
    }
    const del = el("form", {
      method: "post", action: urlFor(root.dataset.deleteUrl, post.post_id), class: "inline",
      "data-delete-form": "", "data-confirm": root.dataset.deleteConfirm,
    });
    del.append(hiddenCsrf(), el("button", { type: "submit", class: "small danger" }, root.dataset.deleteText));
    box.append(del);
    return box;
  }

  function build(post) {
    const li = el("li", {
      class: post.author_id === me ? "post mine" : "post",
      "data-post-id": String(post.post_id),
      "data-author-id": String(post.author_id),
      "data-created-at": post.created_at,
    });
    const meta = el("p", { class: "post-meta" });
    meta.append(el("strong", { class: "post-author" }, post.author_name), " · ");
    meta.append(el("time", { datetime: post.created_at }, timeFormat.format(new Date(post.created_at))));
    const edited = el("span", { class: "post-edited muted" }, ` · ${root.dataset.editedText}`);
    edited.hidden = !post.edited_at;
    meta.append(edited);
    const text = el("div", { class: "post-text" });
    text.innerHTML = post.html; // server-escaped (workspace.text.post_html)
    li.append(meta, text);
    if (post.author_id === me) li.append(actions(post));
    return li;
  }

  // Put one post in its place (by id), replace it if shown, remove it if deleted.
  function show(post) {
    if (post.relationship_id !== relationshipId) return;
    const current = list.querySelector(`li[data-post-id="${post.post_id}"]`);
    if (post.deleted) { current?.remove(); refresh(); return; }
    if (current) {
      current.querySelector(".post-text").innerHTML = post.html;
      current.querySelector(".post-edited").hidden = !post.edited_at;
      refresh();
      return;
    }
    const li = build(post);
    if (post.author_id === partner) typingLine.textContent = ""; // they sent what they typed
    const after = posts().find((other) => Number(other.dataset.postId) > post.post_id);
    list.insertBefore(li, after || null);
    refresh();
  }

  function refresh() {
    if (empty) empty.hidden = posts().length > 0;
    const mine = posts().filter((li) => Number(li.dataset.authorId) === me);
    const last = mine.length ? Number(mine[mine.length - 1].dataset.postId) : 0;
    if (receipt) receipt.hidden = !(last && partnerRead >= last);
    sendRead();
  }

  function sendRead() {
    const latest = lastId();
    if (!latest || latest <= lastSentRead || document.visibilityState !== "visible") return;
    lastSentRead = latest;
    document.dispatchEvent(new CustomEvent("tandem:send", {
      detail: { action: "read", relationship_id: relationshipId, post_id: latest },
    }));
  }

  function setPartnerOnline(on) {
    for (const dot of root.querySelectorAll(`[data-presence-user="${partner}"]`)) {
      dot.classList.toggle("online", on);
      const label = on ? dot.dataset.labelOn : dot.dataset.labelOff;
      if (label) { dot.title = label; dot.setAttribute("aria-label", label); }
    }
    const state = root.querySelector("[data-partner-state]");
    if (state) state.textContent = on ? state.dataset.on : state.dataset.off;
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${response.status}`);
    return response.json();
  }

  async function catchUp() {
    const url = new URL(root.dataset.sinceUrl, location.href);
    url.searchParams.set("after", String(lastId()));
    if (serverNow) url.searchParams.set("changed_since", serverNow);
    try {
      const data = await getJson(url);
      for (const post of data.posts) show(post);
      serverNow = data.now;
      partnerRead = Math.max(partnerRead, data.partner_read);
      setPartnerOnline(data.partner_online);
      refresh();
    } catch (err) {
      console.warn("conversation catch-up failed", err);
    }
  }

  async function send(form, url) {
    const response = await fetch(url, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, data };
  }

  // The new-post form: fetch when JavaScript runs, a plain POST otherwise.
  const form = root.querySelector("[data-post-form]");
  const error = root.querySelector("[data-post-error]");
  form?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { ok, data } = await send(form, location.pathname);
      if (ok) {
        show(data.post);
        form.reset();
        error.hidden = true;
      } else {
        error.textContent = data.error || "";
        error.hidden = false;
      }
    } finally {
      button.disabled = false;
    }
  });

  // Typing: at most one notice every 2 s (the server drops any more).
  form?.querySelector("textarea")?.addEventListener("input", () => {
    const now = Date.now();
    if (now - typedAt < 2000) return;
    typedAt = now;
    document.dispatchEvent(new CustomEvent("tandem:send", {
      detail: { action: "typing", relationship_id: relationshipId },
    }));
  });

  list.addEventListener("toggle", (event) => {
    const details = event.target.closest?.("details.post-edit");
    if (!details || !details.open) return;
    const area = details.querySelector("[data-edit-text]");
    if (area && !area.value) area.value = details.closest("li").querySelector(".post-text").innerText;
  }, true);

  list.addEventListener("submit", async (event) => {
    const target = event.target;
    if (event.defaultPrevented) return; // «Delete this message?» answered no (app.js)
    if (!target.matches("[data-edit-form], [data-delete-form]")) return;
    event.preventDefault();
    const { ok, data } = await send(target, target.action);
    if (ok) show(data.post);
    else if (data.error) window.alert(data.error);
  });

  root.querySelector("[data-older]")?.addEventListener("click", async (event) => {
    const button = event.currentTarget;
    const url = new URL(root.dataset.olderUrl, location.href);
    if (posts().length) url.searchParams.set("before", String(firstId()));
    try {
      const data = await getJson(url);
      for (const post of data.posts) show(post);
      if (!data.more) button.closest("p").remove();
    } catch (err) {
      console.warn("older posts failed", err);
    }
  });

  document.addEventListener("tandem:post.created", (event) => show(event.detail));
  document.addEventListener("tandem:post.updated", (event) => show(event.detail));
  document.addEventListener("tandem:conversation.typing", (event) => {
    const data = event.detail;
    if (data.relationship_id !== relationshipId || data.user_id !== partner) return;
    typingLine.textContent = root.dataset.typingText;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingLine.textContent = ""; }, 4000);
  });
  document.addEventListener("tandem:conversation.read", (event) => {
    const data = event.detail;
    if (data.relationship_id !== relationshipId || data.user_id !== partner) return;
    partnerRead = Math.max(partnerRead, data.post_id);
    refresh();
  });
  document.addEventListener("tandem:partner.presence", (event) => {
    if (event.detail.user_id === partner) setPartnerOnline(event.detail.online);
  });
  // Every (re)connection: what was posted, edited or deleted while the socket was away.
  document.addEventListener("tandem:socket-open", () => { catchUp(); sendRead(); });
  document.addEventListener("visibilitychange", sendRead);
  if (document.documentElement.dataset.live === "open") catchUp();
  refresh();
}
