// Progressive enhancement only; every page works without it.
// A revealed identity hides itself after the time the page asks for (the design's 60 seconds),
// so it is not left on a screen someone else may walk past.
document.querySelectorAll("[data-hide-after]").forEach(function (el) {
  var seconds = parseInt(el.getAttribute("data-hide-after"), 10) || 60;
  setTimeout(function () {
    el.textContent = "Hidden again. Use Show identity to read it once more.";
  }, seconds * 1000);
});
