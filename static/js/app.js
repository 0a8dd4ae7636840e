/* Customer Archive CRM — the little behaviour the pages need. Pages ask for it with data-
   attributes: the Content-Security-Policy runs no inline script or onclick= handler. */
"use strict";

document.addEventListener("change", (event) => {
  // <select data-autosubmit>: choosing a value sends its form (the language switch).
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) {
    select.form.submit();
  }
});

document.addEventListener("click", (event) => {
  // <button data-print>: print the page.
  if (event.target.closest("[data-print]")) {
    event.preventDefault();
    window.print();
    return;
  }
  // <a data-history-back href="…">: go back in history, where the browser still holds what was
  // typed into the form; the href is only for a first page with nothing to go back to.
  if (event.target.closest("[data-history-back]") && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});

document.addEventListener("submit", (event) => {
  // <form data-confirm="…">: an irreversible step asks first; a blank message asks nothing.
  const message = event.target.dataset ? event.target.dataset.confirm : "";
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  // <button data-nav-toggle aria-expanded="false">: the menu button of narrow screens shows or
  // hides the menu that follows it (the stylesheet reads aria-expanded).
  const toggle = event.target.closest("[data-nav-toggle]");
  if (toggle) {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  }
  // <details data-dropdown> (the menu's 更多): a click anywhere else closes it.
  for (const dropdown of document.querySelectorAll("details[data-dropdown][open]")) {
    if (!dropdown.contains(event.target)) {
      dropdown.open = false;
    }
  }
});

document.addEventListener("keydown", (event) => {
  // Escape closes an open dropdown and gives the focus back to its summary.
  if (event.key !== "Escape") {
    return;
  }
  for (const dropdown of document.querySelectorAll("details[data-dropdown][open]")) {
    dropdown.open = false;
    dropdown.querySelector("summary").focus();
  }
});
