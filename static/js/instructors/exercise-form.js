// The exercise form shows only the reference fields the chosen form uses; the others are ignored on save.
(function () {
  "use strict";
  const select = document.getElementById("id_reference_form");
  if (!select) return;
  const all = ["expression", "function", "wrt", "variable", "at", "direction"];
  const derivative = ["function", "wrt", "at"];
  const uses = {
    expression: ["expression"],
    partial: ["function", "wrt", "variable", "at"],
    gradient: derivative,
    directional_derivative: [...derivative, "direction"],
    max_rate: derivative,
    steepest_ascent: derivative,
    jacobian: derivative,
    hessian: derivative,
  };
  function update() {
    const shown = uses[select.value] || all;
    for (const name of all) {
      const row = document.querySelector(".form-row.field-" + name);
      if (row) row.style.display = shown.includes(name) ? "" : "none";
    }
  }
  select.addEventListener("change", update);
  update();
})();
