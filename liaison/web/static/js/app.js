// Liaison web UI: htmx settings and the bundle upload with a progress bar.
"use strict";

document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  if (window.htmx) {
    // Forms answered with 422 carry their own error message: show them like any other answer.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }
  document.querySelectorAll("form[data-upload-progress]").forEach(uploadWithProgress);
  document.querySelectorAll("form.discover-form").forEach(linkScopesToMode);
  document.querySelectorAll("form[data-confirm]").forEach(confirmFirst);
  document.querySelectorAll("button.nav-toggle").forEach(toggleMenu);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
});

// The phone menu: a real button (reached with Tab, opened with Enter or Space), Escape closes it.
function toggleMenu(button) {
  const menu = document.getElementById(button.getAttribute("aria-controls"));
  const show = (open) => {
    button.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  };
  button.addEventListener("click", () => {
    const open = button.getAttribute("aria-expanded") !== "true";
    show(open);
    if (open) menu.querySelector("a")?.focus();
  });
  menu.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      show(false);
      button.focus();
    }
  });
}

// Consequential forms (publish, discard) ask first, saying what will happen: "{audience}" and
// "{level}" in the question are the form's chosen audience and TLP, as the analyst reads them.
function confirmFirst(form) {
  form.addEventListener("submit", (event) => {
    const chosen = (name) => {
      const select = form.querySelector(`select[name=${name}]`);
      return select && select.selectedOptions.length ? select.selectedOptions[0].textContent.trim() : "";
    };
    const question = form.dataset.confirm.replace("{audience}", chosen("audience")).replace("{level}", chosen("level"));
    if (!window.confirm(question)) event.preventDefault();
  });
}

// "Discoverable by": ticking a scope chooses "only"; choosing default or no one clears the ticks.
function linkScopesToMode(form) {
  const only = form.querySelector("input[name=mode][value=only]");
  form.addEventListener("change", (event) => {
    const input = event.target;
    if (input.name === "scope" && input.checked) only.checked = true;
    if (input.name === "mode" && input !== only) {
      form.querySelectorAll("input[name=scope]").forEach((box) => { box.checked = false; });
    }
  });
}

// Send the form by XHR to show upload progress, then put the server's report under it.
function uploadWithProgress(form) {
  const bar = form.querySelector("progress");
  const result = document.getElementById("import-result");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    bar.hidden = false;
    bar.value = 0;
    bar.removeAttribute("data-done");
    button.disabled = true;
    result.innerHTML = "";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", () => {
      bar.value = 100;
      bar.setAttribute("data-done", "");
      button.disabled = false;
      if (xhr.status === 303 || xhr.responseURL.includes("/login")) {
        window.location = "/login?next=/import";
        return;
      }
      result.innerHTML = xhr.responseText;
    });
    xhr.addEventListener("error", () => {
      button.disabled = false;
      result.innerHTML = '<p class="alert error" role="alert">The upload failed: the server could not be reached.</p>';
    });
    xhr.send(new FormData(form));
  });
}
