/* Timeline: the legend's buttons show or hide the events of a type (and months left empty). */
(function () {
  "use strict";

  var hidden = new Set();

  function apply() {
    document.querySelectorAll(".tl-event").forEach(function (item) {
      item.hidden = hidden.has(item.dataset.type);
    });
    document.querySelectorAll(".tl-month").forEach(function (month) {
      month.hidden = !month.querySelector(".tl-event:not([hidden])");
    });
    document.querySelectorAll(".tl-bar").forEach(function (bar) {
      bar.classList.toggle("tl-muted", hidden.has(bar.dataset.type));
    });
  }

  document.querySelectorAll(".tl-toggle").forEach(function (button) {
    button.addEventListener("click", function () {
      var type = button.dataset.type;
      if (hidden.has(type)) hidden.delete(type); else hidden.add(type);
      button.setAttribute("aria-pressed", hidden.has(type) ? "false" : "true");
      apply();
    });
  });
})();
