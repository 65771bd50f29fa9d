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
