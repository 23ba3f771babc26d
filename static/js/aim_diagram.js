// Driver diagram: confirm removals, print, and download the drawn SVG as a PNG (rendered in the browser).
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-diagram-png]").forEach(function (button) {
    button.addEventListener("click", function () {
      var svg = document.querySelector(".driver-diagram svg");
      if (!svg) { return; }
      var width = svg.width.baseVal.value, height = svg.height.baseVal.value, scale = 2;
      var source = new XMLSerializer().serializeToString(svg);
      var image = new Image();
      image.onload = function () {
        var canvas = document.createElement("canvas");
        canvas.width = width * scale;
        canvas.height = height * scale;
        var context = canvas.getContext("2d");
        context.scale(scale, scale);
        context.drawImage(image, 0, 0);
        canvas.toBlob(function (blob) {
          var link = document.createElement("a");
          link.href = URL.createObjectURL(blob);
          link.download = button.getAttribute("data-diagram-png");
          document.body.appendChild(link);
          link.click();
          link.remove();
        }, "image/png");
      };
      image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
    });
  });
})();
