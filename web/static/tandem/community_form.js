// «Créer message»: who receives it (with a live count), the rich-text editors, and the
// tags inserted where the cursor was. Loaded after quill.js (both deferred, in order).
const form = document.querySelector("form[data-community-form]");

// Recipients: show the group or people choice only when it applies, and count them.
const countOutput = document.getElementById("recipient-count");
const audience = () => form.querySelector("input[name=audience]:checked")?.value || "";
function showChoices() {
  document.getElementById("audience-group").hidden = audience() !== "group";
  document.getElementById("audience-chosen").hidden = audience() !== "chosen";
}
let counting = null;
async function recount() {
  const params = new URLSearchParams({ audience: audience() });
  if (form.elements.group.value) params.set("group", form.elements.group.value);
  for (const option of form.elements.chosen.selectedOptions) params.append("chosen", option.value);
  counting?.abort();
  counting = new AbortController();
  try {
    const response = await fetch(`${form.dataset.countUrl}?${params}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: counting.signal,
    });
    const data = await response.json();
    countOutput.textContent = response.ok ? data.label : data.error;
  } catch (err) {
    if (err.name !== "AbortError") countOutput.textContent = "?";
  }
}
form.addEventListener("change", (event) => {
  if (["audience", "group", "chosen"].includes(event.target.name)) {
    showChoices();
    recount();
  }
});
showChoices();

// Rich text: Quill over each message's textarea. Formatting is written as inline styles
// (mail clients ignore classes); the textarea keeps the HTML that is sent, and stays
// usable as it is when Quill does not load.
let lastTarget = null;
const editors = [];

// Every control of the toolbar gets a name in the page's language (rendered by the
// template); a picker's options are named by their label and value.
const toolbarLabels = Object.fromEntries(
  [...form.querySelectorAll("[data-toolbar-labels] [data-key]")].map((el) => [el.dataset.key, el.textContent]),
);
function nameToolbar(toolbar) {
  for (const [key, label] of Object.entries(toolbarLabels)) {
    const [format, value] = key.split("-");
    const selector = value ? `.ql-${format}[value="${value}"]` : `.ql-${format}`;
    for (const control of toolbar.querySelectorAll(selector)) {
      const target = control.classList.contains("ql-picker")
        ? control.querySelector(".ql-picker-label")
        : control;
      target?.setAttribute("aria-label", label);
      for (const item of control.querySelectorAll(".ql-picker-item")) {
        item.setAttribute("aria-label", `${label}: ${item.dataset.label || item.dataset.value || "—"}`);
      }
    }
  }
}
if (window.Quill) {
  const Quill = window.Quill;
  const size = Quill.import("attributors/style/size");
  size.whitelist = ["small", "large", "x-large"];
  const font = Quill.import("attributors/style/font");
  font.whitelist = ["serif", "monospace"];
  Quill.register(size, true);
  Quill.register(font, true);
  Quill.register(Quill.import("attributors/style/align"), true);
  for (const textarea of form.querySelectorAll("textarea[data-rich-text]")) {
    const box = document.createElement("div");
    box.className = "editor";
    box.lang = textarea.dataset.richText;
    textarea.before(box);
    textarea.hidden = true;
    const quill = new Quill(box, {
      theme: "snow",
      modules: {
        toolbar: {
          container: [
            [{ font: [false, "serif", "monospace"] }, { size: ["small", false, "large", "x-large"] }],
            ["bold", "italic", "underline", "strike"],
            [{ color: [] }, { background: [] }],
            [{ list: "ordered" }, { list: "bullet" }, { align: [] }],
            ["link", "image"],
            ["clean"],
          ],
          handlers: {
            // Images by address only (F8): nothing is uploaded or pasted as data.
            image() {
              const url = (window.prompt(form.dataset.imagePrompt) || "").trim();
              if (!/^https?:\/\//i.test(url)) return;
              const range = this.quill.getSelection(true);
              this.quill.insertEmbed(range.index, "image", url, "user");
            },
          },
        },
      },
    });
    nameToolbar(quill.getModule("toolbar").container);
    // Load the saved HTML through Quill's parser (inert), not innerHTML.
    quill.setContents(quill.clipboard.convert({ html: textarea.value }), "silent");
    quill.on("selection-change", (range) => {
      if (range) lastTarget = { quill, index: range.index + range.length };
    });
    quill.on("text-change", () => {
      const range = quill.getSelection();
      if (range) lastTarget = { quill, index: range.index };
    });
    editors.push({ quill, textarea });
  }
}
for (const input of form.querySelectorAll("input[name^=subject_]")) {
  input.addEventListener("focus", () => { lastTarget = { input }; });
}
form.addEventListener("submit", () => {
  for (const { quill, textarea } of editors) {
    // Quill 2.0.3 writes every space as &nbsp; (slab/quill#4509), which would also
    // break tags such as {Nom complet}.
    textarea.value = quill.getLength() > 1 ? quill.getSemanticHTML().replaceAll("&nbsp;", " ") : "";
  }
});

// Tags: insert at the cursor of the last subject or message used, or copy.
form.querySelector(".tags").addEventListener("click", (event) => {
  const tag = event.target.closest("[data-tag]")?.dataset.tag;
  if (!tag) return;
  if (lastTarget?.quill) {
    lastTarget.quill.insertText(lastTarget.index, tag, "user");
    lastTarget.quill.setSelection(lastTarget.index + tag.length, 0, "user");
  } else if (lastTarget?.input) {
    const { input } = lastTarget;
    const at = input.selectionStart ?? input.value.length;
    input.setRangeText(tag, at, input.selectionEnd ?? at, "end");
    input.focus();
  } else {
    navigator.clipboard?.writeText(tag);
  }
});
