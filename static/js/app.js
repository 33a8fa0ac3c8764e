// Behaviour shared by every page. No inline scripts or handlers anywhere, so the content
// security policy can forbid them.

// <form data-confirm="Are you sure?">: ask before a destructive submit.
document.addEventListener(
  "submit",
  (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  },
  true,
);

// === Member pickers (orgs/fields.py MemberField) ============================================
// The text box asks the member search page for matches as one types (htmx); the matches are
// buttons. Arrow keys move through them, Enter or a click picks one: its id goes into the
// hidden input, its name into the box. Typing again forgets the pick until another is made.
(() => {
  const pickerOf = (el) => el.closest("[data-member-picker]");
  const partsOf = (picker) => ({
    value: picker.querySelector("[data-member-value]"),
    box: picker.querySelector("[data-member-search]"),
    results: picker.querySelector("[data-member-results]"),
    chosen: picker.querySelector("[data-member-chosen]"),
    help: picker.querySelector(".member-picker-help"),
  });
  const optionsOf = (picker) => [...picker.querySelectorAll("[data-member-option]")];

  const close = (picker) => {
    const { box, results } = partsOf(picker);
    results.replaceChildren();
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
  };

  const highlight = (picker, index) => {
    const options = optionsOf(picker);
    const { box } = partsOf(picker);
    options.forEach((option, i) => {
      option.classList.toggle("active", i === index);
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (options[index]) {
      box.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  };

  const pick = (option) => {
    const picker = pickerOf(option);
    const { value, box, chosen, help } = partsOf(picker);
    value.value = option.dataset.memberId;
    box.value = option.dataset.memberLabel;
    chosen.textContent = option.dataset.memberDetail;
    if (help) help.hidden = true;
    close(picker);
    box.focus();
    value.dispatchEvent(new Event("change", { bubbles: true }));
  };

  // The search page reads "q": send the box's text under that name only.
  document.addEventListener("htmx:configRequest", (event) => {
    const box = event.detail.elt;
    if (!(box instanceof Element) || !box.matches("[data-member-search]")) return;
    const params = event.detail.parameters;
    delete params[box.name];
    params.q = box.value;
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const results = event.detail.target;
    if (!(results instanceof Element) || !results.matches("[data-member-results]")) return;
    const picker = pickerOf(results);
    const { box, value } = partsOf(picker);
    if (value.value) {
      // A late answer to earlier typing, after a person was picked: keep the pick.
      close(picker);
      return;
    }
    box.setAttribute("aria-expanded", optionsOf(picker).length ? "true" : "false");
    highlight(picker, -1);
  });

  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!(box instanceof Element) || !box.matches("[data-member-search]")) return;
    const picker = pickerOf(box);
    const { value, chosen, help } = partsOf(picker);
    value.value = "";
    chosen.textContent = "";
    if (help) help.hidden = false;
    if (!box.value.trim()) close(picker);
  });

  document.addEventListener("click", (event) => {
    const option = event.target instanceof Element && event.target.closest("[data-member-option]");
    if (option) {
      event.preventDefault();
      pick(option);
      return;
    }
    // A click elsewhere closes any open list.
    document.querySelectorAll("[data-member-picker]").forEach((picker) => {
      if (!picker.contains(event.target)) close(picker);
    });
  });

  document.addEventListener("keydown", (event) => {
    if (!(event.target instanceof Element)) return;
    const picker = pickerOf(event.target);
    if (!picker) return;
    const options = optionsOf(picker);
    const { box } = partsOf(picker);
    const onOption = event.target.matches("[data-member-option]");
    const current = onOption
      ? options.indexOf(event.target)
      : options.findIndex((o) => o.classList.contains("active"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const next = (current + step + options.length) % options.length;
      highlight(picker, next);
      if (onOption) options[next].focus();
    } else if (event.key === "Enter" && !onOption && current >= 0) {
      // Enter picks the highlighted person instead of submitting the form.
      event.preventDefault();
      pick(options[current]);
    } else if (event.key === "Escape" && options.length) {
      event.preventDefault();
      close(picker);
      box.focus();
    }
  });
})();
// === end of member pickers ==================================================================

// === Navigation menus ========================================================================
// One menu open at a time; a click elsewhere or Escape closes it. Without scripts each menu
// still opens and closes with its own button.
(() => {
  const menus = () => [...document.querySelectorAll(".site-nav details.dropdown[open]")];
  document.addEventListener("click", (event) => {
    const inside = event.target.closest(".site-nav details.dropdown");
    for (const menu of menus()) {
      if (menu !== inside) menu.removeAttribute("open");
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") for (const menu of menus()) menu.removeAttribute("open");
  });
})();
