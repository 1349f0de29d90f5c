// The draft review page: select words in the article to add them as a person, an organisation, a
// place or an observable. Progressive enhancement: without this script the "Add from the text"
// forms under the article do the same with the words typed in.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const article = document.querySelector(".reading .article");
  const toolbar = document.getElementById("selection-toolbar");
  if (article && toolbar) selectionToolbar(article, toolbar);
});

// Where the selection lies in the article's text: [start, end, words], or null when it is empty
// or not wholly inside the article. Offsets count what the page shows, which is the draft's text.
function selectedSpan(article) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) return null;
  const before = document.createRange();
  before.setStart(article, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = before.toString().length;
  const words = range.toString();
  if (!words.trim()) return null;
  return [start, start + words.length, words];
}

function selectionToolbar(article, toolbar) {
  const fields = (name) => toolbar.querySelector(`input[name=${name}]`);
  const shown = toolbar.querySelector(".selected");
  const observableKind = toolbar.querySelector(".observable-kind select");

  const hide = () => {
    toolbar.hidden = true;
  };
  const show = () => {
    const span = selectedSpan(article);
    if (!span) {
      if (!toolbar.contains(document.activeElement)) hide();
      return;
    }
    const [start, end, words] = span;
    fields("start").value = start;
    fields("end").value = end;
    fields("words").value = words;
    const trimmed = words.trim();
    shown.textContent = `“${trimmed.length > 60 ? trimmed.slice(0, 57) + "…" : trimmed}”`;
    toolbar.hidden = false;
    // Beside the selection's last line, within the reading column.
    const rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
    const box = toolbar.offsetParent ? toolbar.offsetParent.getBoundingClientRect() : { top: 0, left: 0 };
    toolbar.style.top = `${rect.bottom - box.top + 6}px`;
    const room = (toolbar.offsetParent ? toolbar.offsetParent.clientWidth : window.innerWidth) - toolbar.offsetWidth;
    toolbar.style.left = `${Math.max(0, Math.min(rect.left - box.left, room))}px`;
  };

  article.addEventListener("mouseup", () => setTimeout(show, 0));
  article.addEventListener("keyup", (event) => {
    if (event.key !== "Tab") show();
  });
  document.addEventListener("selectionchange", () => {
    if (!toolbar.hidden && !selectedSpan(article) && !toolbar.contains(document.activeElement)) hide();
  });
  // Keyboard: with words selected, Tab goes to the toolbar and Escape closes it.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !toolbar.hidden) {
      hide();
      article.focus();
    } else if (event.key === "Tab" && !event.shiftKey && !toolbar.hidden && !toolbar.contains(document.activeElement)) {
      event.preventDefault();
      toolbar.querySelector("button").focus();
    }
  });
  toolbar.querySelectorAll("button[data-op]").forEach((button) => {
    button.addEventListener("click", () => {
      fields("op").value = button.dataset.op;
      fields("kind").value = button.dataset.kind || observableKind.value;
      toolbar.submit();
    });
  });
}
