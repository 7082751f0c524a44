// Small progressive enhancements; every page works without this file.
// After htmx swaps in a form with errors, move focus to the first invalid field so
// keyboard and screen-reader users land where the problem is.
// An outerHTML swap replaces the target itself: look in its successor (same id) then.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (target && !target.isConnected) {
    target = target.id ? document.getElementById(target.id) : null;
  }
  var invalid = target && target.querySelector('[aria-invalid="true"]');
  if (invalid) { invalid.focus(); }
});

// A boosted link or form swaps only the <body>'s content, but the new page's <html> carries
// the language (lang) and the text size (class), and its <body> the CSRF header that htmx
// sends (the token changes at sign-in). Take those over, so a screen reader reads the page
// in its language, A+ / A− take effect at once, and later htmx requests stay valid.
document.addEventListener("htmx:afterSwap", function (event) {
  var xhr = event.detail.xhr;
  var text = event.detail.boosted && xhr ? xhr.responseText : "";
  if (!/<html[\s>]/i.test(text)) { return; }
  var doc = new DOMParser().parseFromString(text, "text/html");
  var root = document.documentElement;
  ["lang", "class"].forEach(function (name) {
    var value = doc.documentElement.getAttribute(name);
    if (value === null) { root.removeAttribute(name); } else { root.setAttribute(name, value); }
  });
  var headers = doc.body && doc.body.getAttribute("hx-headers");
  if (headers) { document.body.setAttribute("hx-headers", headers); }
});
