// Liaison web UI: htmx settings and the bundle upload with a progress bar.
"use strict";

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
});

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
