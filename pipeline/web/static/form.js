// The center form's progress count follows the clicks (the page works without this script too).
(function () {
  var digits = "๐๑๒๓๔๕๖๗๘๙";
  function thai(n) { return String(n).replace(/[0-9]/g, function (d) { return digits[+d]; }); }
  function update() {
    var physical = {}, quality = 0;
    document.querySelectorAll('input[type=radio][name^="p:"]:checked').forEach(function (r) { physical[r.name] = 1; });
    quality = document.querySelectorAll('input[type=checkbox][name^="q:"]:checked').length;
    var p = Object.keys(physical).length;
    var all = document.getElementById("answered");
    if (!all) return;
    all.textContent = thai(p + quality);
    document.getElementById("answered-physical").textContent = thai(p);
    document.getElementById("answered-quality").textContent = thai(quality);
    var bar = document.querySelector("#progress progress");
    if (bar) bar.value = p + quality;
  }
  document.addEventListener("change", update);
})();
