// 清欠台账: the little behaviour pages need. No inline script anywhere (the CSP forbids it).
document.addEventListener("click", function (e) {
  var t = e.target;
  if (t.matches && t.matches("button.print")) { window.print(); }
});
document.addEventListener("submit", function (e) {
  var f = e.target;
  var b = f.querySelector("button[type=submit]");
  if (b && f.method.toLowerCase() === "post") {
    // One click, one submission: a double click must not pay twice.
    if (b.dataset.sent) { e.preventDefault(); return; }
    b.dataset.sent = "1";
    setTimeout(function () { b.disabled = true; }, 0);
  }
});
// A voucher kept from a failed submission can be dropped (to choose another file instead).
document.addEventListener("click", function (e) {
  var t = e.target;
  if (t.matches && t.matches("main > .flash")) { t.remove(); return; }
  if (t.matches && t.matches("button.voucher-drop")) {
    var p = t.closest(".kept-voucher");
    if (p) { p.remove(); }
    var f = document.getElementById("files");
    if (f) { f.focus(); }
  }
});
// After a saved form its confirmation is brought into view; after a refused one the first
// field in error (or the form's message) takes the cursor.
document.addEventListener("DOMContentLoaded", function () {
  var flash = document.querySelector("main > .flash");
  if (flash) {
    flash.setAttribute("tabindex", "-1");
    flash.title = "点击关闭";
    flash.focus({ preventScroll: true });
    if (flash.getBoundingClientRect().top < 0 || flash.getBoundingClientRect().bottom > window.innerHeight) {
      flash.scrollIntoView({ block: "start" });
    }
    return;
  }
  if (document.querySelector("main [autofocus]")) { return; }
  var bad = document.querySelector("main input.bad, main select.bad, main textarea.bad, main fieldset.bad input, main [aria-invalid=true]");
  if (bad && bad.focus) { bad.focus(); return; }
  var alert = document.querySelector("main [role=alert]");
  if (alert) {
    alert.setAttribute("tabindex", "-1");
    alert.focus();
  }
});
// A required field is marked with * after its label's text.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("main input[required], main select[required], main textarea[required]").forEach(function (el) {
    if (el.type === "hidden" || el.type === "checkbox") { return; }
    var label = el.closest("label") || (el.id && document.querySelector('label[for="' + el.id + '"]'));
    if (!label || label.querySelector(".req")) { return; }
    var mark = document.createElement("span");
    mark.className = "req";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = "*";
    var first = label.firstChild;
    if (first && first.nodeType === 3) { label.insertBefore(mark, first.nextSibling); } else { label.insertBefore(mark, first); }
  });
});
