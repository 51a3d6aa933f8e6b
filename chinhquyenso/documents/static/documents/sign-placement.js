/* Placing the signature on the page preview (signing page of outgoing documents).
 *
 * The form works without this script: the signer picks the template's placeholder, a preset
 * place, or types the box in millimetres. With it, the box shows on the preview and follows
 * the inputs; dragging on the preview draws a box, a tap places one of the default size, and
 * dragging the box moves it. Measures are millimetres from the top left corner of the page.
 */
(function () {
  "use strict";

  var stage = document.querySelector("[data-sign-stage]");
  if (!stage) { return; }
  var form = document.getElementById(stage.getAttribute("data-form"));
  var image = stage.querySelector("img");
  var frame = stage.querySelector("[data-sign-box]");
  if (!form || !image || !frame) { return; }

  var pageWidth = parseFloat(stage.getAttribute("data-page-width-mm"));
  var pageHeight = parseFloat(stage.getAttribute("data-page-height-mm"));
  var shownPage = stage.getAttribute("data-page");
  var field = function (name) { return form.elements.namedItem(name); };
  var inputs = {
    left: field("left_mm"), top: field("top_mm"), width: field("width_mm"), height: field("height_mm")
  };
  var page = field("page");
  var preset = field("preset");
  var DEFAULT_WIDTH = 50, DEFAULT_HEIGHT = 22, MIN_WIDTH = 20, MIN_HEIGHT = 10;
  var PRESETS = { "phai-duoi": [0.52, 0.68], "phai-giua": [0.52, 0.45], "phai-tren": [0.52, 0.22] };

  function number(input, fallback) {
    var value = parseFloat(String(input.value).replace(",", "."));
    return isNaN(value) ? fallback : value;
  }
  function round(value) { return Math.round(value * 10) / 10; }
  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }

  function choose(kind) {
    var radio = form.querySelector('input[name="placement"][value="' + kind + '"]');
    if (radio) { radio.checked = true; }
  }
  function placement() {
    var checked = form.querySelector('input[name="placement"]:checked');
    return checked ? checked.value : "";
  }

  function box() {
    return {
      left: number(inputs.left, NaN), top: number(inputs.top, NaN),
      width: number(inputs.width, DEFAULT_WIDTH), height: number(inputs.height, DEFAULT_HEIGHT)
    };
  }
  function write(b) {
    b.width = clamp(b.width, MIN_WIDTH, pageWidth);
    b.height = clamp(b.height, MIN_HEIGHT, pageHeight);
    inputs.left.value = round(clamp(b.left, 0, pageWidth - b.width));
    inputs.top.value = round(clamp(b.top, 0, pageHeight - b.height));
    inputs.width.value = round(b.width);
    inputs.height.value = round(b.height);
    if (page) { page.value = shownPage; }
    draw();
  }

  function draw() {
    var b = box();
    var onThisPage = !page || String(page.value) === String(shownPage);
    if (isNaN(b.left) || isNaN(b.top) || !onThisPage || placement() === "placeholder") {
      frame.hidden = true;
      return;
    }
    var scale = image.clientWidth / pageWidth;
    frame.style.left = (b.left * scale) + "px";
    frame.style.top = (b.top * scale) + "px";
    frame.style.width = (b.width * scale) + "px";
    frame.style.height = (b.height * scale) + "px";
    frame.hidden = false;
  }

  function applyPreset() {
    var at = PRESETS[preset.value];
    if (!at) { return; }
    write({
      left: at[0] * pageWidth, top: at[1] * pageHeight,
      width: DEFAULT_WIDTH, height: DEFAULT_HEIGHT
    });
  }

  function pointMm(event) {
    var rect = image.getBoundingClientRect();
    var scale = rect.width / pageWidth;
    return {
      x: clamp((event.clientX - rect.left) / scale, 0, pageWidth),
      y: clamp((event.clientY - rect.top) / scale, 0, pageHeight)
    };
  }

  var drag = null;
  stage.addEventListener("pointerdown", function (event) {
    if (event.button !== undefined && event.button !== 0) { return; }
    event.preventDefault();
    var start = pointMm(event);
    var b = box();
    var inside = !frame.hidden && start.x >= b.left && start.x <= b.left + b.width &&
      start.y >= b.top && start.y <= b.top + b.height;
    drag = { start: start, box: b, moving: inside, moved: false };
    stage.setPointerCapture(event.pointerId);
  });
  stage.addEventListener("pointermove", function (event) {
    if (!drag) { return; }
    var now = pointMm(event);
    var dx = now.x - drag.start.x, dy = now.y - drag.start.y;
    if (!drag.moved && Math.abs(dx) < 1 && Math.abs(dy) < 1) { return; }
    drag.moved = true;
    choose("box");
    if (drag.moving) {
      write({ left: drag.box.left + dx, top: drag.box.top + dy,
        width: drag.box.width, height: drag.box.height });
    } else {
      write({ left: Math.min(drag.start.x, now.x), top: Math.min(drag.start.y, now.y),
        width: Math.max(Math.abs(dx), MIN_WIDTH), height: Math.max(Math.abs(dy), MIN_HEIGHT) });
    }
  });
  function finish(event) {
    if (!drag) { return; }
    if (!drag.moved && !drag.moving) {
      var at = pointMm(event);
      choose("box");
      write({ left: at.x - DEFAULT_WIDTH / 2, top: at.y - DEFAULT_HEIGHT / 2,
        width: DEFAULT_WIDTH, height: DEFAULT_HEIGHT });
    }
    drag = null;
  }
  stage.addEventListener("pointerup", finish);
  stage.addEventListener("pointercancel", function () { drag = null; });

  Object.keys(inputs).forEach(function (name) {
    inputs[name].addEventListener("input", function () { choose("box"); draw(); });
  });
  if (page) { page.addEventListener("input", draw); }
  if (preset) {
    preset.addEventListener("change", function () { choose("preset"); applyPreset(); });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name !== "placement") { return; }
    if (event.target.value === "preset") { applyPreset(); }
    draw();
  });
  window.addEventListener("resize", draw);
  if (image.complete) { draw(); } else { image.addEventListener("load", draw); }
  if (placement() === "preset") { applyPreset(); }
})();
