/* Charter console: progressive enhancements only; every page works without this script.
   "/" focuses the search box; changing a filter on the subjects page submits it. */
document.addEventListener("keydown", function (event) {
  var search = document.getElementById("q") || document.getElementById("id");
  var tag = (event.target && event.target.tagName) || "";
  if (event.key === "/" && search && !/INPUT|TEXTAREA|SELECT/.test(tag)) {
    event.preventDefault();
    search.focus();
  }
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.form && el.form.classList.contains("filters") && (el.name === "type" || el.name === "deleted")) {
    el.form.submit();
  }
});
