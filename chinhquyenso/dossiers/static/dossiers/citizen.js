/* Citizen dossier pages: narrow the long list of receiving units while typing (diacritics
   optional). Without this script the list works as a plain grouped select. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function unitFilter() {
    var box = document.querySelector("[data-unit-filter]");
    if (!box) { return; }
    var input = box.querySelector("input");
    var select = document.getElementById(input.getAttribute("aria-controls"));
    if (!select || select.options.length < 15) { return; }
    // Keep the original groups and options; each search rebuilds the list from them.
    var groups = Array.prototype.map.call(select.children, function (node) {
      return { node: node, options: node.tagName === "OPTGROUP" ? Array.prototype.slice.call(node.children) : null };
    });
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      function keep(option) {
        var name = fold(option.text);
        return option.value === "" || option.value === chosen ||
          words.every(function (w) { return name.indexOf(w) !== -1; });
      }
      var nodes = [];
      groups.forEach(function (group) {
        if (!group.options) {
          if (keep(group.node)) { nodes.push(group.node); }
          return;
        }
        var kept = group.options.filter(keep);
        group.node.replaceChildren.apply(group.node, kept);
        if (kept.length) { nodes.push(group.node); }
      });
      select.replaceChildren.apply(select, nodes);
      select.value = chosen;
    });
  }

  unitFilter();
})();
