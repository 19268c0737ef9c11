// The workbench's few behaviours that need a script; every page works without it.
"use strict";

// Intake: the category follows the confident suggestion until the operator chooses
// one; a suggested category or answer is taken with one click.
function categorySelect() { return document.getElementById("id_category"); }

document.addEventListener("htmx:afterSwap", (event) => {
  const best = event.detail.target.querySelector("[data-best-category]");
  const select = categorySelect();
  if (best && select && !select.dataset.touched) select.value = best.dataset.bestCategory;
});

document.addEventListener("change", (event) => {
  if (event.target === categorySelect()) event.target.dataset.touched = "1";
  const all = event.target.closest("[data-select-all]");
  if (all) {
    document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`).forEach((box) => { box.checked = all.checked; });
  }
});

document.addEventListener("click", (event) => {
  const category = event.target.closest("[data-pick-category]");
  if (category && categorySelect()) {
    categorySelect().value = category.dataset.pickCategory;
    categorySelect().dataset.touched = "1";
    categorySelect().dispatchEvent(new Event("change", { bubbles: true }));  // route by the choice
  }
  const answer = event.target.closest("[data-pick-answer]");
  const reply = document.getElementById("id_reply");
  if (answer && reply) {
    reply.value = answer.dataset.pickAnswer;
    reply.focus();
  }
});

// Ctrl+Enter (or Cmd+Enter) submits the form being typed in, as in a mail client.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.form) {
    event.preventDefault();
    event.target.form.requestSubmit(event.target.form.querySelector("button[type=submit]"));
  }
});
