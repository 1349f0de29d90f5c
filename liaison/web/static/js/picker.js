// The picker: objects are chosen by name, alias, another spelling or with a typo (the search's
// name matching, /objects/pick), never by a pasted identifier. Arrow keys move through the
// options, Enter picks, Escape closes; each pick is a hidden input of the form.
"use strict";

function picker(box) {
  box.dataset.ready = "true";
  const input = box.querySelector(".picker-input");
  const options = box.querySelector(".picker-options");
  const chosen = box.querySelector(".picker-chosen");
  const several = box.dataset.several === "true";
  let found = [];
  let active = -1;
  let timer = null;

  const close = () => {
    options.hidden = true;
    input.setAttribute("aria-expanded", "false");
    active = -1;
  };
  const show = () => {
    options.innerHTML = "";
    found.forEach((item, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = `${box.dataset.name}-option-${i}`;
      li.dataset.index = String(i);
      li.setAttribute("aria-selected", String(i === active));
      const type = document.createElement("span");
      type.className = "type";
      type.textContent = item.type + " ";
      li.append(type, document.createTextNode(item.name));
      options.append(li);
    });
    options.hidden = found.length === 0;
    input.setAttribute("aria-expanded", String(found.length > 0));
    input.setAttribute("aria-activedescendant", active >= 0 ? `${box.dataset.name}-option-${active}` : "");
  };
  const choose = (item) => {
    if (!several) chosen.innerHTML = "";
    if (chosen.querySelector(`input[value="${CSS.escape(item.id)}"]`)) return close();
    const li = document.createElement("li");
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = box.dataset.name;
    hidden.value = item.id;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link picker-remove";
    remove.textContent = "remove";
    remove.setAttribute("aria-label", `Remove ${item.name}`);
    li.append(hidden, document.createTextNode(`${item.name} `), remove);
    chosen.append(li);
    input.value = "";
    close();
  };
  const ask = async () => {
    const q = input.value.trim();
    if (!q) {
      found = [];
      return close();
    }
    const answer = await fetch(`/objects/pick?q=${encodeURIComponent(q)}&type=${encodeURIComponent(box.dataset.types || "")}`);
    found = answer.ok ? await answer.json() : [];
    active = found.length ? 0 : -1;
    show();
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && found.length) {
      active = (active + 1) % found.length;
      show();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && found.length) {
      active = (active - 1 + found.length) % found.length;
      show();
      event.preventDefault();
    } else if (event.key === "Enter") {
      event.preventDefault(); // Enter picks; it never submits the form half-filled
      if (active >= 0 && !options.hidden) choose(found[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  options.addEventListener("mousedown", (event) => {
    const li = event.target.closest("li[data-index]");
    if (li) {
      event.preventDefault();
      choose(found[Number(li.dataset.index)]);
    }
  });
  chosen.addEventListener("click", (event) => {
    if (event.target.classList.contains("picker-remove")) event.target.closest("li").remove();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}

document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("[data-picker]:not([data-ready])").forEach(picker));
// Panels loaded by htmx (the merges panel) carry pickers too.
document.addEventListener("htmx:load", (event) => event.target.querySelectorAll("[data-picker]:not([data-ready])").forEach(picker));
