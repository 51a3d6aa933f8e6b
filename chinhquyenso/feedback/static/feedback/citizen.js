/* Citizen feedback pages: small improvements on pages that work without any script.
   - a character counter under the report text;
   - the chosen category's extra questions appear at once (from <template> elements);
   - the location: "use my position", and a map pin (Leaflet) when a tile server is set;
   - a "copy the code" button after sending. */
(function () {
  "use strict";

  // Numbers as the page's language writes them (10.000 in Vietnamese, 10,000 in English).
  var LOCALE = document.documentElement.lang === "en" ? "en-GB" : "vi-VN";

  function counter() {
    var text = document.getElementById("id_text");
    var out = document.getElementById("id_text_counter");
    if (!text || !out) { return; }
    var max = parseInt(text.getAttribute("maxlength"), 10) || 10000;
    var announced = null;
    text.removeAttribute("maxlength");  // let people paste, then see how much to cut
    out.hidden = false;
    function update() {
      var left = max - text.value.length;
      out.textContent = left >= 0
        ? out.dataset.left.replace("N", left.toLocaleString(LOCALE))
        : out.dataset.over.replace("N", (-left).toLocaleString(LOCALE));
      out.classList.toggle("counter--over", left < 0);
      // Screen readers hear the count only near and past the limit, not on every key.
      var level = left < 0 ? "over" : left <= 500 ? "near" : null;
      out.setAttribute("aria-live", level && level !== announced ? "polite" : "off");
      announced = level;
    }
    text.addEventListener("input", update);
    update();
  }

  function categorySections() {
    var select = document.getElementById("id_category");
    var box = document.getElementById("muc-them");
    var seen = document.getElementById("id_section");
    if (!select || !box || !seen) { return; }
    select.addEventListener("change", function () {
      if (box.dataset.category === select.value) { return; }
      var template = document.getElementById("muc-them-" + select.value);
      box.replaceChildren();
      if (template) { box.appendChild(template.content.cloneNode(true)); }
      box.dataset.category = select.value;
      // The questions are on screen now, so the server checks them on "Tiếp tục".
      seen.value = template ? select.value : "";
    });
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "d").toLowerCase();
  }

  function communeFilter() {
    var box = document.querySelector("[data-commune-filter]");
    var select = document.getElementById("id_commune");
    if (!box || !select || select.options.length < 15) { return; }
    var input = box.querySelector("input");
    var all = Array.prototype.slice.call(select.options);
    box.hidden = false;
    input.addEventListener("input", function () {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var chosen = select.value;
      select.replaceChildren.apply(select, all.filter(function (option) {
        var name = fold(option.text);
        return option.value === "" || option.value === chosen ||
          words.every(function (w) { return name.indexOf(w) !== -1; });
      }));
      select.value = chosen;
    });
  }

  function location() {
    var panel = document.querySelector("[data-pin]");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    if (!panel || !lat || !lon) { return; }
    var state = document.getElementById("pin-state");
    var clear = panel.querySelector("[data-pin-clear]");
    var here = panel.querySelector("[data-pin-here]");
    var centre = panel.querySelector("[data-pin-centre]");
    var box = document.getElementById("ban-do");
    var map = null;
    var marker = null;
    var b = panel.dataset.bounds.split(",").map(Number);  // south, west, north, east
    panel.hidden = false;

    function degrees(value) {
      return Number(value).toLocaleString(LOCALE, { maximumFractionDigits: 5 });
    }
    function show() {
      var has = lat.value !== "" && lon.value !== "";
      clear.hidden = !has;
      state.textContent = has
        ? state.dataset.set.replace("LAT", degrees(lat.value)).replace("LON", degrees(lon.value))
        : state.dataset.unset;
      if (!map) { return; }
      if (has) {
        var point = [Number(lat.value), Number(lon.value)];
        if (marker) { marker.setLatLng(point); } else {
          marker = L.marker(point, { draggable: true, keyboard: false }).addTo(map);
          marker.on("dragend", function () { put(marker.getLatLng().lat, marker.getLatLng().lng); });
        }
      } else if (marker) { map.removeLayer(marker); marker = null; }
    }
    function put(y, x) {
      if (y < b[0] || y > b[2] || x < b[1] || x > b[3]) {
        state.textContent = state.dataset.outside;
        return;
      }
      lat.value = y.toFixed(6);
      lon.value = x.toFixed(6);
      show();
    }

    if (box && window.L) {
      var bounds = L.latLngBounds([b[0], b[1]], [b[2], b[3]]);
      map = L.map(box, { scrollWheelZoom: false, maxBounds: bounds.pad(0.2) });
      L.tileLayer(box.dataset.tiles, { attribution: box.dataset.attribution || "", maxZoom: 19 }).addTo(map);
      if (lat.value && lon.value) { map.setView([Number(lat.value), Number(lon.value)], 16); }
      else { map.fitBounds(bounds); }
      map.on("click", function (e) { put(e.latlng.lat, e.latlng.lng); });
      if (centre) {
        centre.addEventListener("click", function () { var c = map.getCenter(); put(c.lat, c.lng); });
      }
    } else if (centre) { centre.hidden = true; }

    clear.addEventListener("click", function () { lat.value = ""; lon.value = ""; show(); });
    if (!("geolocation" in navigator)) { here.hidden = true; } else {
      here.addEventListener("click", function () {
        state.textContent = state.dataset.locating;
        navigator.geolocation.getCurrentPosition(function (pos) {
          put(pos.coords.latitude, pos.coords.longitude);
          if (map) { map.setView([pos.coords.latitude, pos.coords.longitude], 17); }
        }, function () { state.textContent = state.dataset.failed; }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
    show();
  }

  function copyCode() {
    var button = document.querySelector("[data-copy]");
    if (!button || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = button.dataset.done;
      });
    });
  }

  // A second click on "Gửi" while the first is on its way would only wait twice as long.
  function submitOnce() {
    document.querySelectorAll("form[data-once]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.sending) { event.preventDefault(); }
        form.dataset.sending = "1";
      });
    });
  }

  counter();
  submitOnce();
  categorySections();
  communeFilter();
  location();
  copyCode();
})();
