/* Searchable pickers: <select data-picker="URL"> becomes a Tom Select that asks URL?q=… as the
   person types and shows the answer {"results": [{"id", "text"}]} as it is: the server decides what
   matches, through the page's own access rules (crm_archive/widgets.py, crm_archive/autocomplete.py).
   Texts come from data- attributes the server translates (data-placeholder, data-picker-loading,
   data-picker-empty, data-picker-clear); data-picker-preload="focus" lists the first matches as
   soon as the field is entered (small sets: people). Without this script the select still submits
   the value it holds. No inline script or style: the Content-Security-Policy allows neither. */
"use strict";

(() => {
  function note(text, className) {
    const element = document.createElement("div");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function makePicker(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") {
      return;
    }
    const source = select.dataset.picker;
    const preload = select.dataset.pickerPreload || false;
    const plugins = {};
    if (!select.required) {
      plugins.clear_button = { title: select.dataset.pickerClear || "" };
    }
    let asked = 0; // answers to older questions are dropped
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: ["text"],
      placeholder: select.dataset.placeholder || "",
      allowEmptyOption: false,
      maxOptions: 20,
      loadThrottle: 250,
      preload,
      plugins,
      shouldLoad: (query) => query.length > 0 || Boolean(preload),
      score: () => () => 1,
      sortField: [{ field: "$order" }],
      load(query, callback) {
        const number = ++asked;
        const address = new URL(source, window.location.href);
        address.searchParams.set("q", query);
        fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then((answer) => {
            if (number !== asked) {
              callback();
              return;
            }
            this.clearOptions(); // keeps the chosen value; forgets the last question's matches
            callback(Array.isArray(answer.results) ? answer.results : []);
          })
          .catch(() => callback());
      },
      render: {
        loading: () => note(select.dataset.pickerLoading || "…", "loading"),
        no_results: () => note(select.dataset.pickerEmpty || "", "no-results"),
      },
    });
  }

  function makePickers(root) {
    root.querySelectorAll("select[data-picker]").forEach(makePicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => makePickers(document));
  } else {
    makePickers(document);
  }
})();
