/* Draws every measure chart on the page with plotly (scatter traces only: the basic bundle).
 *
 * Each chart element carries data-measure-chart="<id of a json_script element>" holding the
 * payload built by measures/charts.py: chart_payload(). Elements with data-compact draw a
 * sparkline. Buttons with data-chart-download="png|svg" and data-chart-target="<chart id>"
 * download the chart as an image. Withheld small counts (payload.withheld) are shaded bands
 * labelled "<5", never points; annotations are one marker per date on the x-axis, whose text
 * shows on hover, or on focus of the date in the list under the chart
 * (data-chart-annotation="<marker index>").
 */
(function () {
  "use strict";

  var COLOURS = {
    line: "#1d3f6e",
    point: "#1d3f6e",
    improvement: "#0b5cad",
    concern: "#a33f00",
    neither: "#6f42c1",
    centre: "#3d3d3d",
    limit: "#6c757d",
    target: "#146c43",
    annotation: "#5a5a5a",
    phase: "#212529",
    withheld: "rgba(73, 80, 87, 0.14)",
    withheldText: "#343a40"
  };
  // Shapes as well as colours, so that signals never rely on colour alone.
  var SYMBOLS = { improvement: "diamond", concern: "square", neither: "triangle-up", normal: "circle" };

  function formatNumber(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    var text = Number.isInteger(value) ? value.toLocaleString("en-GB") : value.toLocaleString("en-GB", { maximumFractionDigits: 1 });
    if (unit === "%") { return text + "%"; }
    return unit ? text + " " + unit : text;
  }

  function signalClass(point) {
    if (!point.signal) { return "normal"; }
    if (point.improvement === true) { return "improvement"; }
    if (point.improvement === false) { return "concern"; }
    return "neither";
  }

  function hoverText(point, payload) {
    var lines = ["<b>" + point.label + "</b>", "Value: " + formatNumber(point.y, payload.unit)];
    if (point.numerator !== null && point.denominator !== null) {
      if (payload.numerator_label === "Count") {
        lines.push(formatNumber(point.numerator, "") + " events, exposure " + formatNumber(point.denominator, ""));
      } else {
        lines.push(formatNumber(point.numerator, "") + " of " + formatNumber(point.denominator, ""));
      }
    }
    if (point.signal) {
      var names = { shift: "shift", trend: "trend", beyond_limit: "beyond a limit", two_of_three: "2 of 3 near a limit" };
      var outcome = point.improvement === true ? " (improvement)" : point.improvement === false ? " (concern)" : "";
      lines.push("Signal: " + names[point.signal] + outcome);
    }
    if (point.provisional) { lines.push("Provisional: the month is still open"); }
    if (point.astronomical) { lines.push("Marked as an astronomical point"); }
    if (point.note) { lines.push("Note: " + escapeHtml(point.note)); }
    return lines.join("<br>");
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function lineTrace(xs, ys, name, colour, dash, shape, showlegend) {
    return {
      x: xs, y: ys, name: name, type: "scatter", mode: "lines", hoverinfo: "skip",
      line: { color: colour, width: 1.5, dash: dash, shape: shape || "linear" },
      connectgaps: false, showlegend: showlegend
    };
  }

  function phaseTraces(payload, xs, compact) {
    var traces = [];
    payload.phases.forEach(function (phase, number) {
      var first = number === 0;
      var slice = function (from, to) { return xs.slice(from, to); };
      var local = function (values, from, to) { return values.slice(from - phase.offset, to - phase.offset); };
      var centreName = payload.centre_name === "median" ? "Median" : "Mean";
      // Limits that vary with each point's denominator or exposure are drawn as steps.
      var shape = payload.step_lines ? "hvh" : "linear";
      // Solid over the baseline, dashed where the centre is extended past it.
      traces.push(lineTrace(slice(phase.offset, phase.baseline_stop), local(phase.centre, phase.offset, phase.baseline_stop),
        centreName, COLOURS.centre, "solid", shape, first));
      if (phase.baseline_stop < phase.stop) {
        var from = Math.max(phase.baseline_stop - 1, phase.offset);
        traces.push(lineTrace(slice(from, phase.stop), local(phase.centre, from, phase.stop),
          centreName + " (extended)", COLOURS.centre, "dash", shape, first));
      }
      if (phase.ucl && !compact) {
        var label = phase.trial_limits ? " (trial)" : "";
        traces.push(lineTrace(slice(phase.offset, phase.stop), phase.ucl, "Upper limit" + label, COLOURS.limit, "dot", shape === "hvh" ? "hvh" : "linear", first));
        traces.push(lineTrace(slice(phase.offset, phase.stop), phase.lcl, "Lower limit" + label, COLOURS.limit, "dot", shape === "hvh" ? "hvh" : "linear", first));
      }
    });
    return traces;
  }

  function pointTraces(payload, xs) {
    var groups = {};
    payload.points.forEach(function (point, index) {
      if (point.suppressed) { return; }
      var kind = signalClass(point);
      var key = kind + (point.provisional ? "-open" : "") + (point.astronomical ? "-astro" : "");
      if (!groups[key]) { groups[key] = { kind: kind, provisional: point.provisional, astronomical: point.astronomical, x: [], y: [], text: [] }; }
      groups[key].x.push(xs[index]);
      groups[key].y.push(point.y);
      groups[key].text.push(hoverText(point, payload));
    });
    var names = { normal: "Data", improvement: "Signal: improvement", concern: "Signal: concern", neither: "Signal" };
    return Object.keys(groups).sort().map(function (key) {
      var group = groups[key];
      var symbol = group.astronomical ? "star" : SYMBOLS[group.kind];
      if (group.provisional) { symbol += "-open"; }
      var name = names[group.kind] + (group.provisional ? " (provisional)" : "") + (group.astronomical ? " (astronomical)" : "");
      return {
        x: group.x, y: group.y, text: group.text, name: name, type: "scatter", mode: "markers",
        hovertemplate: "%{text}<extra></extra>",
        marker: { color: COLOURS[group.kind === "normal" ? "point" : group.kind], size: group.kind === "normal" ? 7 : 10, symbol: symbol,
          line: { width: group.provisional ? 2 : 0, color: COLOURS[group.kind === "normal" ? "point" : group.kind] } }
      };
    });
  }

  function draw(element) {
    var source = document.getElementById(element.dataset.measureChart);
    if (!source || typeof Plotly === "undefined") { return; }
    var payload = JSON.parse(source.textContent);
    if (!payload.points.length) { return; }
    var compact = element.hasAttribute("data-compact");
    var xs = payload.points.map(function (point) { return point.x; });
    var ys = payload.points.map(function (point) { return point.y; });
    var withheld = payload.withheld || [];
    // The line joining the points breaks between phases: each phase is its own segment. It
    // also breaks at a withheld value, rather than drawing a line across what is not shown.
    var traces = payload.phases.map(function (phase) {
      var trace = lineTrace(xs.slice(phase.offset, phase.stop), ys.slice(phase.offset, phase.stop), "Values", COLOURS.line, "solid", "linear", false);
      trace.line.width = compact ? 1.5 : 1;
      trace.connectgaps = withheld.length === 0;
      return trace;
    });
    traces = traces.concat(phaseTraces(payload, xs, compact));
    if (!compact && payload.target !== null) {
      traces.push(lineTrace([xs[0], xs[xs.length - 1]], [payload.target, payload.target], "Target", COLOURS.target, "longdash", "linear", true));
    }
    traces = traces.concat(pointTraces(payload, xs));
    if (compact) {
      traces.forEach(function (trace) { if (trace.marker) { trace.marker.size = trace.marker.size > 7 ? 6 : 3; } });
    }

    var shapes = [];
    var annotations = [];
    withheld.forEach(function (span) {
      shapes.push({ type: "rect", xref: "x", yref: "paper", x0: span.x0, x1: span.x1, y0: 0, y1: 1, layer: "below",
        fillcolor: COLOURS.withheld, line: { width: 0 } });
      if (!compact) {
        annotations.push({ x: midpoint(span.x0, span.x1), xref: "x", yref: "paper", y: 0.5, yanchor: "middle", text: escapeHtml(span.label),
          hovertext: "Fewer than 5 children: not shown (" + escapeHtml(span.periods.join(", ")) + ")", showarrow: false,
          bgcolor: "#ffffff", bordercolor: COLOURS.withheldText, borderwidth: 1, font: { size: 11, color: COLOURS.withheldText } });
      }
    });
    var markerCurve = null;
    if (!compact) {
      payload.phases.forEach(function (phase, number) {
        if (number === 0) { return; }
        shapes.push({ type: "line", xref: "x", yref: "paper", x0: xs[phase.offset], x1: xs[phase.offset], y0: 0, y1: 1, line: { color: COLOURS.phase, width: 2 } });
        annotations.push({ x: xs[phase.offset], xref: "x", yref: "paper", y: 0, yanchor: "bottom", xanchor: "left", text: " " + phase.label,
          hovertext: phase.label + ": " + escapeHtml(phase.reason), showarrow: false, font: { size: 11, color: COLOURS.phase } });
      });
      var markers = payload.annotation_markers || [];
      if (markers.length) {
        // One small marker per date on the x-axis (a hidden second axis from 0 to 1 holds them
        // at its foot whatever the data's scale); the annotations' texts show on hover.
        markerCurve = traces.length;
        traces.push({
          x: markers.map(function (marker) { return marker.x; }),
          y: markers.map(function () { return 0; }),
          yaxis: "y2", type: "scatter", mode: "markers", name: "Annotation", cliponaxis: false,
          text: markers.map(function (marker) {
            return "<b>" + escapeHtml(marker.label) + "</b><br>" + marker.texts.map(escapeHtml).join("<br>");
          }),
          hovertemplate: "%{text}<extra></extra>",
          marker: { symbol: "triangle-up", size: 12, color: COLOURS.annotation, line: { width: 1, color: "#ffffff" } }
        });
      }
    }

    var tickformat = payload.per_event ? "%d %b %Y" : "%b %Y";
    var yaxis = { title: { text: payload.y_title }, rangemode: payload.y_from_zero ? "tozero" : "normal", zeroline: false };
    var shown = ys.filter(function (value) { return value !== null && value !== undefined; });
    if (!shown.length) {
      // Nothing may be drawn (every value withheld): an axis from 0 that holds the "<5" bands, never −1 to 1.
      yaxis.range = [0, Math.max(5, payload.target === null ? 0 : payload.target * 1.1)];
      yaxis.autorange = false;
    }
    var layout = compact ? {
      margin: { l: 4, r: 4, t: 4, b: 4 }, height: 90, showlegend: false, shapes: shapes,
      xaxis: { visible: false, fixedrange: true },
      yaxis: { visible: false, fixedrange: true, rangemode: payload.y_from_zero ? "tozero" : "normal", range: yaxis.range },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)"
    } : {
      margin: { l: 60, r: 20, t: 30, b: 50 }, height: 380,
      font: { family: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#212529" },
      xaxis: { type: "date", tickformat: tickformat, showgrid: false },
      yaxis: yaxis,
      yaxis2: { overlaying: "y", range: [0, 1], visible: false, fixedrange: true },
      legend: { orientation: "h", y: -0.18 }, hovermode: "closest", shapes: shapes, annotations: annotations
    };
    var config = compact ? { staticPlot: true, displayModeBar: false, responsive: true } : {
      displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { filename: element.dataset.filename || "chart", format: "png", scale: 2 }
    };
    Plotly.newPlot(element, traces, layout, config);
    element.dataset.annotationCurve = markerCurve === null ? "" : String(markerCurve);
  }

  function midpoint(from, to) {
    var start = new Date(from).getTime();
    return new Date(start + (new Date(to).getTime() - start) / 2).toISOString().slice(0, 10);
  }

  // The annotations' list under the chart: focusing (or pointing at) a date shows its marker's text.
  function showAnnotation(button, show) {
    var element = document.getElementById(button.dataset.chartTarget);
    if (!element || typeof Plotly === "undefined" || !element.dataset.annotationCurve) { return; }
    if (show) {
      Plotly.Fx.hover(element, [{ curveNumber: Number(element.dataset.annotationCurve), pointNumber: Number(button.dataset.chartAnnotation) }]);
    } else {
      Plotly.Fx.unhover(element);
    }
  }

  ["focusin", "mouseover"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var button = event.target.closest && event.target.closest("[data-chart-annotation]");
      if (button) { showAnnotation(button, true); }
    });
  });
  ["focusout", "mouseout"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var button = event.target.closest && event.target.closest("[data-chart-annotation]");
      if (button) { showAnnotation(button, false); }
    });
  });

  function download(button) {
    var element = document.getElementById(button.dataset.chartTarget);
    if (!element || typeof Plotly === "undefined") { return; }
    Plotly.downloadImage(element, {
      format: button.dataset.chartDownload, filename: element.dataset.filename || "chart",
      width: 1200, height: 600
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chart-download]");
    if (button) { download(button); }
  });

  function drawAll(root) {
    (root || document).querySelectorAll("[data-measure-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  } else {
    drawAll();
  }
  // Charts swapped in by htmx are drawn too.
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
