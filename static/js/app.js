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
