// Vega-Lite charts without eval: every element with data-vega-spec is rendered by vega-embed with
// the vega-interpreter expression evaluator, as the Content-Security-Policy requires.
(function () {
  function render(root) {
    if (!window.vegaEmbed || !window.vegaInterpreter) return;
    (root || document).querySelectorAll("[data-vega-spec]:not([data-rendered])").forEach(function (el) {
      el.setAttribute("data-rendered", "1");
      var spec = JSON.parse(el.getAttribute("data-vega-spec"));
      window.vegaEmbed(el, spec, {
        actions: false, renderer: "svg", ast: true, expr: window.vegaInterpreter.expressionInterpreter
      }).catch(function (error) { el.textContent = "The chart could not be drawn: " + error.message; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
})();
