// The relationship workspace, live. Events carry ids only (never text): on one, the page
// re-reads the changed region from the server. An agreement answer being typed in is
// left alone; its form shows the other person's version once it is saved or reloaded.
import { replaceFromServer } from "./regions.js";

const page = document.querySelector("[data-workspace], [data-admin-workspace]");
const relationshipId = Number(
  page?.dataset.workspace || page?.dataset.adminWorkspace || 0,
);

let timer = null;
const wanted = new Set();

function refresh(selectors) {
  // A burst of events (a goal moved swaps two) costs one request.
  for (const s of selectors) wanted.add(s);
  if (timer) return;
  timer = setTimeout(async () => {
    const list = [...wanted];
    wanted.clear();
    timer = null;
    try {
      await replaceFromServer(list);
    } catch (err) {
      console.warn("workspace refresh failed", err);
    }
  }, 150);
}

function agreementSelectors(key) {
  const focused = document.activeElement?.closest?.("[data-answer]");
  const editing = focused && focused.querySelector("textarea") === document.activeElement;
  if (!key || !editing) return ['[data-region="agreement"]'];
  // Keep the answer being typed; refresh the others and the signatures.
  const others = [...document.querySelectorAll("[data-answer]")]
    .filter((el) => el !== focused)
    .map((el) => `[data-answer="${el.dataset.answer}"]`);
  return [...others, '[data-signed="mentor"]', '[data-signed="mentee"]', "[data-agreement-state]"];
}

// A goal being edited (focus in one of the list's fields) is not swept away under the
// person's fingers: the list is re-read once they leave it. Their save is checked against
// the version they were shown, so a change made meanwhile is refused, never lost.
let goalsStale = false;
function typingIn(selector) {
  const active = document.activeElement;
  return Boolean(active?.closest?.(selector) && active.matches("input, textarea, select"));
}

document.addEventListener("tandem:goal.changed", (event) => {
  if (!relationshipId || event.detail.relationship_id !== relationshipId) return;
  if (typingIn('[data-region="goals"]')) {
    goalsStale = true;
    return;
  }
  refresh(['[data-region="goals"]']);
});

document.addEventListener("focusout", () => {
  setTimeout(() => {
    if (goalsStale && !typingIn('[data-region="goals"]')) {
      goalsStale = false;
      refresh(['[data-region="goals"]']);
    }
  }, 0);
});

document.addEventListener("tandem:agreement.changed", (event) => {
  if (relationshipId && event.detail.relationship_id === relationshipId) {
    refresh(agreementSelectors(event.detail.key));
  }
});

// Administrators: the relationship dashboard and the relationships list.
document.addEventListener("tandem:goals.counted", (event) => {
  if (relationshipId && event.detail.relationship_id === relationshipId) {
    refresh(['[data-region="admin-goals"]']);
  }
});

document.addEventListener("tandem:agreement.state", (event) => {
  const id = event.detail.relationship_id;
  if (relationshipId === id) refresh(['[data-region="agreement"]']);
  if (document.querySelector(`[data-agreement="${id}"]`)) {
    refresh([`[data-agreement="${id}"]`]);
  }
});

// The conversation tile. The pair's page: a post, an edit or a read mark re-reads the
// unread count and the last post's time. The administrators' dashboard: the
// `conversation.activity` event (counts and times only) re-reads the tile.
function conversationChanged(event) {
  if (relationshipId && event.detail.relationship_id === relationshipId) {
    refresh([
      page?.dataset.workspace
        ? '[data-region="conversation"]'
        : '[data-region="admin-conversation"]',
    ]);
  }
}
for (const name of ["post.created", "post.updated", "conversation.read", "conversation.activity"]) {
  document.addEventListener(`tandem:${name}`, conversationChanged);
}
